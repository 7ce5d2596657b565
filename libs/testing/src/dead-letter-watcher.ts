import { randomUUID } from 'node:crypto';
import { Consumer } from 'kafkajs';
import { dlqTopic } from '@waybill/contracts';
import { createKafka, ensureTopics } from '@waybill/eventing';
import { testInfrastructure } from './infrastructure';
import { waitFor } from './wait-for';

/** A message as a service dead-lettered it: the original key, value and headers plus `dlq_*`. */
export interface DeadLetter {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/**
 * Reads a service's DLQ (`waybill.<service>.dlq` under the test's prefix) from the beginning,
 * headers included: the reason a message was set aside is in `dlq_reason` and `dlq_error`.
 */
export class DeadLetterWatcher {
  readonly letters: DeadLetter[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async start(topicPrefix: string, service: string): Promise<DeadLetterWatcher> {
    const prefix = topicPrefix.endsWith('.') ? topicPrefix : `${topicPrefix}.`;
    const infra = await testInfrastructure();
    const kafka = createKafka({ clientId: `dlq-${randomUUID().slice(0, 8)}`, brokers: infra.kafkaBrokers });
    const topic = prefix + dlqTopic(service);
    await ensureTopics(kafka, [topic]);
    const consumer = kafka.consumer({ groupId: `${prefix}dlq-watch.${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const watcher = new DeadLetterWatcher(consumer);
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          const single = Array.isArray(value) ? value[0] : value;
          if (single !== undefined) {
            headers[name] = single.toString();
          }
        }
        watcher.letters.push({
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          headers,
        });
      },
    });
    return watcher;
  }

  /** Waits for the first letter matching `where`. */
  async waitFor(
    where: (letter: DeadLetter) => boolean,
    description: string,
    timeoutMs = 60_000,
  ): Promise<DeadLetter> {
    return waitFor(() => this.letters.find(where), { timeoutMs, intervalMs: 50, description });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
