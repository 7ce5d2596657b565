import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CloudEvent, encodeCloudEvent, eventSource, EventRegistry } from '@waybill/contracts';
import { currentCorrelationId, currentTraceparent } from '@waybill/platform';

export interface OutgoingEvent<T extends object = object> {
  /** `ce_type`; must be in the registry. */
  readonly type: string;
  /** The aggregate id; also the Kafka key unless `key` says otherwise. */
  readonly subject: string;
  readonly data: T;
  readonly key?: string;
  /**
   * `ce_source` when the service publishes on behalf of an outside party: the channels service
   * sends the storefront orders it maps as `/storefronts/<storefrontId>`, the source the order
   * service holds them to. Default `/waybill/<service>`.
   */
  readonly source?: string;
  readonly id?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly traceparent?: string;
}

/** One event or several, as `publish` and `enqueue` take them, as a list. */
export function eventList(events: OutgoingEvent | readonly OutgoingEvent[]): readonly OutgoingEvent[] {
  return Array.isArray(events) ? (events as readonly OutgoingEvent[]) : [events as OutgoingEvent];
}

export interface OutboxOptions {
  readonly service: string;
  readonly registry: EventRegistry;
  /** Prepended to every topic; tests use it to keep their topics apart. */
  readonly topicPrefix?: string;
  /** Validate data against its contract before it is written (default true). */
  readonly validate?: boolean;
}

export class OutboxOutsideTransactionError extends Error {
  constructor() {
    super('outbox.enqueue must run inside the transaction that changes the state it announces');
    this.name = 'OutboxOutsideTransactionError';
  }
}

/**
 * Writes events into the caller's transaction. They reach Kafka only after that transaction
 * commits (the relay publishes committed rows), and never if it rolls back.
 */
export class Outbox {
  private readonly source: string;

  constructor(private readonly options: OutboxOptions) {
    this.source = eventSource(options.service);
  }

  topicFor(type: string): string {
    return `${this.options.topicPrefix ?? ''}${this.options.registry.topicOf(type)}`;
  }

  async enqueue(
    manager: EntityManager,
    events: OutgoingEvent | readonly OutgoingEvent[],
  ): Promise<CloudEvent[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new OutboxOutsideTransactionError();
    }
    const list = eventList(events);
    if (list.length === 0) {
      return [];
    }

    const written: CloudEvent[] = [];
    const params: unknown[] = [];
    const rows: string[] = [];
    for (const event of list) {
      if (this.options.validate !== false) {
        await this.options.registry.parse(event.type, event.data);
      }
      const cloudEvent: CloudEvent = {
        specversion: '1.0',
        id: event.id ?? randomUUID(),
        source: event.source ?? this.source,
        type: event.type,
        time: new Date().toISOString(),
        subject: event.subject,
        datacontenttype: 'application/json',
        // From the work that enqueues it unless the caller says otherwise: the HTTP request's or
        // the consumed event's span and correlation id, so the trace goes on through Kafka.
        correlationid: event.correlationId ?? currentCorrelationId(),
        causationid: event.causationId,
        traceparent: event.traceparent ?? currentTraceparent(),
        data: event.data,
      };
      const record = encodeCloudEvent(cloudEvent, event.key ?? event.subject);
      const n = params.length;
      rows.push(`($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6})`);
      params.push(
        cloudEvent.id,
        cloudEvent.type,
        this.topicFor(cloudEvent.type),
        record.key,
        JSON.stringify(record.headers),
        record.value.toString(),
      );
      written.push(cloudEvent);
    }
    await manager.query(
      `INSERT INTO outbox (event_id, event_type, topic, message_key, headers, payload) VALUES ${rows.join(', ')}`,
      params,
    );
    return written;
  }
}
