import { randomUUID } from 'node:crypto';
import type {
  OrderCancelledV1,
  OrderCompletedV1,
  OrderConfirmedV1,
  OrderRejectedV1,
  OrderShippedV1,
} from '@waybill/contracts';
import type { OutgoingEvent } from '@waybill/eventing';
import type { SagaEffect } from '../domain/order-saga';
import type { OrderRecord } from '../persistence/order.repository';

/** Turns what the saga decided into the events that announce it, keyed by the order id. */
export function eventsFor(order: OrderRecord, effects: readonly SagaEffect[], now: Date): OutgoingEvent[] {
  const at = now.toISOString();
  return effects.map((effect) => {
    const event = (type: string, data: object): OutgoingEvent => ({
      id: randomUUID(),
      type,
      subject: order.id,
      data,
    });
    switch (effect.type) {
      case 'confirmed':
        return event('waybill.order.confirmed.v1', {
          orderId: order.id,
          storefrontId: order.storefrontId,
          reservationId: effect.reservationId,
          paymentId: effect.paymentId,
          customer: order.customer,
          lines: [...order.lines],
          currency: order.currency,
          totalAmount: order.totalAmount,
          shippingAddress: order.shippingAddress,
          confirmedAt: at,
        } satisfies OrderConfirmedV1);
      case 'rejected':
        return event('waybill.order.rejected.v1', {
          orderId: order.id,
          reason: effect.reason,
          shortLines: effect.shortLines.map(({ sku, requested, available }) => ({
            sku,
            requested,
            available,
          })),
          rejectedAt: at,
        } satisfies OrderRejectedV1);
      case 'cancelled':
        return event('waybill.order.cancelled.v1', {
          orderId: order.id,
          reason: effect.reason,
          ...(effect.reservationId !== undefined && { reservationId: effect.reservationId }),
          ...(effect.paymentId !== undefined && { paymentId: effect.paymentId }),
          cancelledAt: at,
        } satisfies OrderCancelledV1);
      case 'shipped':
        return event('waybill.order.shipped.v1', {
          orderId: order.id,
          shipmentId: effect.shipmentId,
          carrier: effect.carrier,
          trackingNumber: effect.trackingNumber,
          shippedAt: effect.shippedAt,
        } satisfies OrderShippedV1);
      case 'completed':
        return event('waybill.order.completed.v1', {
          orderId: order.id,
          shipmentId: effect.shipmentId,
          deliveredAt: effect.deliveredAt,
          completedAt: at,
        } satisfies OrderCompletedV1);
    }
  });
}
