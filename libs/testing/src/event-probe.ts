import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, Producer } from 'kafkajs';
import {
  CloudEvent,
  decodeCloudEvent,
  encodeCloudEvent,
  eventRegistry,
  EventRegistry,
} from '@waybill/contracts';
import { createKafka, ensureTopics } from '@waybill/eventing';
import { testInfrastructure } from './infrastructure';
import { waitFor } from './wait-for';

/** A CloudEvent as the probe saw it on a topic (the topic without the test's prefix). */
export interface SeenEvent<T = Record<string, unknown>> extends CloudEvent<T> {
  readonly topic: string;
  readonly key: string;
}

export interface PublishOptions {
  readonly source?: string;
  readonly subject?: string;
  readonly key?: string;
  readonly id?: string;
  readonly correlationid?: string;
}

/**
 * The test's own view of Kafka under a topic prefix: it publishes events the way another service
 * or a storefront would, and records every CloudEvent on the watched topics from the beginning.
 */
export class EventProbe {
  readonly seen: SeenEvent[] = [];
  /** Records on watched topics that were not valid CloudEvents (e.g. what a test sent on purpose). */
  readonly undecodable: { topic: string; error: string }[] = [];

  private constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly consumer: Consumer,
    private readonly prefix: string,
    private readonly registry: EventRegistry,
  ) {}

  /** Watches `topics` (unprefixed names such as `waybill.order.events`) under `topicPrefix`. */
  static async start(
    topicPrefix: string,
    topics: readonly string[],
    registry: EventRegistry = eventRegistry,
  ): Promise<EventProbe> {
    const prefix = topicPrefix.endsWith('.') ? topicPrefix : `${topicPrefix}.`;
    const infra = await testInfrastructure();
    const kafka = createKafka({ clientId: `probe-${randomUUID().slice(0, 8)}`, brokers: infra.kafkaBrokers });
    const full = topics.map((topic) => prefix + topic);
    await ensureTopics(kafka, full);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const consumer = kafka.consumer({ groupId: `${prefix}probe.${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: full, fromBeginning: true });
    const probe = new EventProbe(kafka, producer, consumer, prefix, registry);
    // A rebalance (topics appearing as services start) hands the probe messages it already read
    // again; the same (partition, offset) is the same record, so it is counted once. A second
    // record of the same event (a producer retry) has another offset and is still seen.
    const read = new Set<string>();
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const position = `${topic}/${partition}@${message.offset}`;
        if (read.has(position)) {
          return;
        }
        read.add(position);
        const bare = topic.slice(prefix.length);
        try {
          const event = decodeCloudEvent(message);
          probe.seen.push({
            ...(event as CloudEvent<Record<string, unknown>>),
            topic: bare,
            key: message.key?.toString() ?? '',
          });
        } catch (error) {
          probe.undecodable.push({ topic: bare, error: (error as Error).message });
        }
      },
    });
    return probe;
  }

  /** Publishes a CloudEvent of `type` with `data` to the registry's topic for it (prefixed). */
  async publish(type: string, data: object, options: PublishOptions = {}): Promise<CloudEvent> {
    const orderId = (data as { orderId?: unknown }).orderId;
    const subject = options.subject ?? options.key ?? (typeof orderId === 'string' ? orderId : randomUUID());
    const event: CloudEvent = {
      specversion: '1.0',
      id: options.id ?? randomUUID(),
      source: options.source ?? '/waybill/test-probe',
      type,
      time: new Date().toISOString(),
      subject,
      datacontenttype: 'application/json',
      correlationid: options.correlationid,
      data,
    };
    const record = encodeCloudEvent(event, options.key ?? subject);
    await this.producer.send({
      topic: this.prefix + this.registry.topicOf(type),
      acks: -1,
      messages: [record],
    });
    return event;
  }

  /** Sends raw records (for malformed-input tests) to an unprefixed topic name. */
  async publishRaw(
    topic: string,
    messages: { key?: string; value: string | Buffer | null; headers?: Record<string, string> }[],
  ): Promise<void> {
    await ensureTopics(this.kafka, [this.prefix + topic]);
    await this.producer.send({ topic: this.prefix + topic, acks: -1, messages });
  }

  /** Events of `type` seen so far, optionally only those matching `where`. */
  events<T = Record<string, unknown>>(
    type: string,
    where: (data: T) => boolean = () => true,
  ): SeenEvent<T>[] {
    return (this.seen as SeenEvent<T>[]).filter((event) => event.type === type && where(event.data));
  }

  /** Waits until an event of `type` matching `where` has been seen, and returns the first. */
  async waitForEvent<T = Record<string, unknown>>(
    type: string,
    where: (data: T) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<SeenEvent<T>> {
    return waitFor(() => this.events<T>(type, where)[0], {
      timeoutMs,
      intervalMs: 50,
      description: `an event ${type}`,
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }
}
