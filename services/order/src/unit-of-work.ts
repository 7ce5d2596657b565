import { EntityManager } from 'typeorm';
import type { OutgoingEvent } from '@waybill/eventing';

/**
 * One transaction and the way to announce what it changed: over HTTP the outbox in a
 * `dataSource.transaction`, in an event handler the EventContext (same transaction as the inbox
 * row, causation carried over). Use cases take it so they run unchanged on both edges.
 */
export interface UnitOfWork {
  readonly manager: EntityManager;
  publish(events: readonly OutgoingEvent[]): Promise<unknown>;
}
