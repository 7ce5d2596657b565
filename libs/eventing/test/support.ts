import { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';
import { createTestDatabase, testInfrastructure } from '@waybill/testing';
import { createKafka, ensureTopics, EVENTING_MIGRATIONS, Outbox } from '@waybill/eventing';
import { TestEffectsTable1764140000001, testRegistry } from './fixtures';

export interface EventingTestBed {
  readonly dataSource: DataSource;
  readonly databaseUrl: string;
  readonly kafka: Kafka;
  readonly brokers: string[];
  readonly topicPrefix: string;
  readonly outbox: Outbox;
  close(): Promise<void>;
}

let counter = 0;

/** A private database with the eventing tables and a topic namespace of its own, on the real infrastructure. */
export async function eventingTestBed(name: string, brokers?: string[]): Promise<EventingTestBed> {
  const infra = await testInfrastructure();
  const database = await createTestDatabase(`evt_${name}`);
  const dataSource = new DataSource({
    type: 'postgres',
    url: database.url,
    migrations: [...EVENTING_MIGRATIONS, TestEffectsTable1764140000001],
    migrationsRun: true,
    extra: { max: 20 },
  });
  await dataSource.initialize();
  const kafkaBrokers = brokers ?? infra.kafkaBrokers;
  const topicPrefix = `it.${name}.${process.pid}.${Date.now()}.${++counter}.`;
  const kafka = createKafka({ clientId: `it-${name}`, brokers: kafkaBrokers });
  const outbox = new Outbox({ service: 'test', registry: testRegistry, topicPrefix });
  return {
    dataSource,
    databaseUrl: database.url,
    kafka,
    brokers: kafkaBrokers,
    topicPrefix,
    outbox,
    async close() {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

export interface CollectedMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly value: string | null;
}

/** Reads a topic from the beginning into memory: the test's independent view of what Kafka holds. */
export async function collectTopic(
  kafka: Kafka,
  topic: string,
): Promise<{ messages: CollectedMessage[]; stop(): Promise<void> }> {
  const messages: CollectedMessage[] = [];
  await ensureTopics(kafka, [topic]);
  const consumer: Consumer = kafka.consumer({ groupId: `collector.${topic}.${Date.now()}.${++counter}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      messages.push(toCollected(partition, message));
    },
  });
  return {
    messages,
    async stop() {
      await consumer.disconnect();
    },
  };
}

function toCollected(partition: number, message: KafkaMessage): CollectedMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) {
      headers[name] = (Array.isArray(value) ? value[0] : value)!.toString();
    }
  }
  return {
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? '',
    headers,
    value: message.value?.toString() ?? null,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
