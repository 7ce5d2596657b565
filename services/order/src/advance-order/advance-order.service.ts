import { Injectable, Logger } from '@nestjs/common';
import type { UnitOfWork } from '@waybill/eventing';
import { decide, SagaDecision, SagaInput } from '../domain/order-saga';
import { OrderNotCancellable, OrderNotFound } from '../order-errors';
import { Cause, OrderRecord, OrderRepository } from '../persistence/order.repository';
import { canSee, OrderReader } from '../policies/order-reader';
import { eventsFor } from './saga-events';

export interface AdvanceOrderCommand {
  readonly orderId: string;
  readonly input: SagaInput;
  /** The event that caused this; absent for a person's request, whose announcement is the cause. */
  readonly cause?: Cause;
  /** Only this reader's orders exist (a storefront cancelling someone else's order gets a 404). */
  readonly reader?: OrderReader;
}

/**
 * Applies one saga input to one order in the caller's transaction: row-lock the order (its events
 * from different topics apply one at a time), decide, store the facts and the timeline, enqueue
 * the announcements. Nothing here knows whether the input came from Kafka or HTTP.
 */
@Injectable()
export class AdvanceOrder {
  private readonly logger = new Logger('OrderSaga');

  constructor(private readonly orders: OrderRepository) {}

  async execute(uow: UnitOfWork, command: AdvanceOrderCommand): Promise<SagaDecision> {
    const { orderId, input } = command;
    const order = await this.orders.lock(uow.manager, orderId);
    if (!order || (command.reader && !canSee(command.reader, order))) {
      throw new OrderNotFound(orderId);
    }

    const decision = decide(order, input);
    switch (decision.outcome) {
      case 'refused':
        throw new OrderNotCancellable(orderId, decision.status);
      case 'ignored':
        this.logger.debug(`order ${orderId} (${order.status}) ignored ${input.type}`);
        return decision;
      case 'recorded':
        await this.orders.saveSagaState(uow.manager, orderId, decision.state);
        return decision;
      case 'advanced':
        await this.advance(uow, order, decision, command.cause);
        return decision;
    }
  }

  private async advance(
    uow: UnitOfWork,
    order: OrderRecord,
    decision: Extract<SagaDecision, { outcome: 'advanced' }>,
    cause: Cause | undefined,
  ): Promise<void> {
    const finalReason = [...decision.transitions].reverse().find((t) => t.reason !== undefined)?.reason;
    const events = eventsFor(order, decision.effects, new Date());
    const announced = events[0];
    const timelineCause =
      cause ?? (announced?.id ? { eventId: announced.id, eventType: announced.type } : undefined);
    if (!timelineCause) {
      throw new Error(`transition of order ${order.id} without a cause or an announcement`);
    }
    await this.orders.recordTransitions(
      uow.manager,
      order.id,
      decision.state,
      finalReason,
      decision.transitions,
      timelineCause,
    );
    await uow.publish(events);
  }
}
