import { Logger } from '@nestjs/common';
import { Kafka, KafkaConfig, logLevel, LogEntry } from 'kafkajs';

export interface KafkaConnectionOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

/** kafkajs logs through Nest's logger so operators get one log format. */
function logCreator(clientId: string): KafkaConfig['logCreator'] {
  const logger = new Logger(`kafka:${clientId}`);
  return () => (entry: LogEntry) => {
    const { message, broker, error, groupId } = entry.log as {
      message: string;
      broker?: unknown;
      error?: unknown;
      groupId?: unknown;
    };
    // The broker, error and group are useful; the request payloads kafkajs attaches are not.
    const text = `${message} ${JSON.stringify({ broker, error, groupId })}`;
    switch (entry.level) {
      case logLevel.ERROR:
        logger.error(text);
        break;
      case logLevel.WARN:
        logger.warn(text);
        break;
      default:
        logger.debug?.(text);
    }
  };
}

export function createKafka(options: KafkaConnectionOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30000,
    logLevel: logLevel.WARN,
    logCreator: logCreator(options.clientId),
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
  });
}
