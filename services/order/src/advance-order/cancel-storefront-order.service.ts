import { Injectable } from '@nestjs/common';
import type { UnitOfWork } from '@waybill/eventing';
import type { OrderStatus } from '../domain/order-status';
import { OrderNotCancellable } from '../order-errors';
import { Cause, OrderRepository } from '../persistence/order.repository';
import { AdvanceOrder } from './advance-order.service';

/** A storefront's request, by its own order id, to cancel an order it submitted. */
export interface CancelStorefrontOrderCommand {
  readonly storefrontId: string;
  readonly storefrontOrderId: string;
  /** The event that carried the request: the timeline names it as the cause of CANCELLED. */
  readonly cause: Cause;
}

export type CancelStorefrontOrderOutcome =
  | { readonly kind: 'cancelled'; readonly orderId: string }
  /** Cancelled before (a resent request, or cancelled another way): nothing changes. */
  | { readonly kind: 'already-cancelled'; readonly orderId: string }
  /** Shipped, delivered or rejected: too late, a business outcome rather than a fault. */
  | { readonly kind: 'not-cancellable'; readonly orderId: string; readonly status: OrderStatus }
  /** This storefront placed no order under that id. */
  | { readonly kind: 'not-found' };

/**
 * Cancels the order a storefront knows by (storefrontId, storefrontOrderId), exactly as its
 * customer would through `POST /v1/orders/:id/cancel`: the same saga input, `requestedBy`
 * customer, so order.cancelled says `ORDER.CUSTOMER_REQUEST` and payment and inventory undo their
 * steps as for any cancellation. Every outcome is returned; the caller decides what each means
 * for its transport.
 */
@Injectable()
export class CancelStorefrontOrder {
  constructor(
    private readonly advanceOrder: AdvanceOrder,
    private readonly orders: OrderRepository,
  ) {}

  async execute(
    uow: UnitOfWork,
    command: CancelStorefrontOrderCommand,
  ): Promise<CancelStorefrontOrderOutcome> {
    const { storefrontId, storefrontOrderId, cause } = command;
    const orderId = await this.orders.findIdByStorefrontOrderId(uow.manager, storefrontId, storefrontOrderId);
    if (!orderId) {
      return { kind: 'not-found' };
    }
    try {
      const decision = await this.advanceOrder.execute(uow, {
        orderId,
        input: { type: 'cancel-requested', requestedBy: 'customer' },
        cause,
        reader: { kind: 'storefront', storefrontId },
      });
      return decision.outcome === 'advanced'
        ? { kind: 'cancelled', orderId }
        : { kind: 'already-cancelled', orderId };
    } catch (error) {
      // Refused after the row lock and before any write: the transaction is still clean to commit.
      if (error instanceof OrderNotCancellable) {
        return { kind: 'not-cancellable', orderId, status: error.status };
      }
      throw error;
    }
  }
}
