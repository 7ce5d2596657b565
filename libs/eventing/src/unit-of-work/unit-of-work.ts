import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { CloudEvent } from '@waybill/contracts';
import { eventList, Outbox, OutgoingEvent } from '../outbox/outbox';

/**
 * One transaction and the way to announce what it changed. Every use case is
 * `execute(uow, command)`: it reads and writes through `uow.manager` and publishes through
 * `uow.publish`, which writes into that same transaction's outbox, so the change and its events
 * commit together or not at all. Over HTTP, in a worker or a sweeper the uow comes from
 * `UnitsOfWork.run`; in an event handler the consumer's `EventContext` is the uow (its transaction
 * also holds the inbox row, and causation is carried over). A use case never knows which.
 */
export interface UnitOfWork {
  /** The transaction's queryable: repositories take it. */
  readonly manager: EntityManager;
  /** Enqueues events into this transaction's outbox; they reach Kafka only after the commit. */
  publish(events: OutgoingEvent | readonly OutgoingEvent[]): Promise<CloudEvent[]>;
}

/**
 * The event a use case runs for when an event handler calls it (`EventContext.cause`): use cases
 * name it in logs and timelines and carry its correlation id on; over HTTP there is none.
 */
export interface EventCause {
  readonly eventId: string;
  readonly eventType: string;
  readonly correlationId: string;
}

/** A unit of work over a transaction already open (IdempotentRequests', the webhook worker's). */
export class TransactionUnitOfWork implements UnitOfWork {
  constructor(
    readonly manager: EntityManager,
    private readonly outbox: Outbox,
    private readonly defaults: UnitOfWorkDefaults = {},
  ) {}

  publish(events: OutgoingEvent | readonly OutgoingEvent[]): Promise<CloudEvent[]> {
    const { correlationId } = this.defaults;
    if (correlationId === undefined) {
      return this.outbox.enqueue(this.manager, events);
    }
    return this.outbox.enqueue(
      this.manager,
      eventList(events).map((event) => ({ correlationId, ...event })),
    );
  }
}

export interface UnitOfWorkDefaults {
  /**
   * The flow the work continues when no request or event carries it (a supplier's message about a
   * purchase order keeps the order's flow); an event's own correlationId still wins.
   */
  readonly correlationId?: string;
}

/** Where units of work come from outside an event handler. */
@Injectable()
export class UnitsOfWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** Runs `work` in a new transaction; it commits when `work` resolves and rolls back when it throws. */
  run<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(new TransactionUnitOfWork(manager, this.outbox)));
  }

  /** The unit of work of a transaction someone else opened and will commit. */
  within(manager: EntityManager, defaults?: UnitOfWorkDefaults): UnitOfWork {
    return new TransactionUnitOfWork(manager, this.outbox, defaults);
  }
}
