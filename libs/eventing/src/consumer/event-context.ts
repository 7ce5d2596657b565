import { BaseRpcContext } from '@nestjs/microservices';
import { EntityManager } from 'typeorm';
import { CloudEvent } from '@waybill/contracts';
import { currentTraceparent } from '@waybill/platform';
import { eventList, Outbox, OutgoingEvent } from '../outbox/outbox';
import type { EventCause, UnitOfWork } from '../unit-of-work/unit-of-work';

export interface KafkaOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

type ContextArgs = [CloudEvent<unknown>, EntityManager, Outbox, KafkaOrigin];

/**
 * What a handler gets beside its validated payload: the envelope and the unit of work its effect
 * must use. `publish` enqueues follow-up events in the transaction that holds the inbox row, with
 * the causation and correlation ids carried over. Handlers pass it on to use cases as their `uow`.
 */
export class EventContext extends BaseRpcContext<ContextArgs> implements UnitOfWork {
  get event(): CloudEvent<unknown> {
    return this.args[0];
  }

  /** The transaction that also holds the inbox row: the effect commits with it or not at all. */
  get manager(): EntityManager {
    return this.args[1];
  }

  /** This event as the cause of what the use case does (correlation id: the flow's, else its own id). */
  get cause(): EventCause {
    const event = this.event;
    return { eventId: event.id, eventType: event.type, correlationId: event.correlationid ?? event.id };
  }

  get origin(): KafkaOrigin {
    return this.args[3];
  }

  async publish(events: OutgoingEvent | readonly OutgoingEvent[]): Promise<CloudEvent[]> {
    const list = eventList(events);
    const cause = this.event;
    return this.args[2].enqueue(
      this.manager,
      list.map((event) => ({
        correlationId: cause.correlationid ?? cause.id,
        causationId: cause.id,
        // The handler's own span when tracing runs (a child of the cause's), else the cause's.
        traceparent: currentTraceparent() ?? cause.traceparent,
        ...event,
      })),
    );
  }
}
