import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  PaymentAuthorizedV1,
  PaymentFailedV1,
  ShipmentCreatedV1,
  ShipmentDeliveredV1,
  StockRejectedV1,
  StockReleasedV1,
  StockReservedV1,
} from '@waybill/contracts';
import { EventContext, PermanentEventError } from '@waybill/eventing';
import { AdvanceOrder } from '../advance-order/advance-order.service';
import type { SagaInput } from '../domain/order-saga';
import { OrderNotFound } from '../order-errors';

/** Inventory, payment and logistics move the order saga; each handler is one call. */
@Controller()
export class SagaEventsController {
  constructor(private readonly advanceOrder: AdvanceOrder) {}

  @EventPattern('waybill.inventory.stock-reserved.v1')
  async onStockReserved(@Payload() event: StockReservedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.apply(ctx, event.orderId, { type: 'stock-reserved', reservationId: event.reservationId });
  }

  @EventPattern('waybill.inventory.stock-rejected.v1')
  async onStockRejected(@Payload() event: StockRejectedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.apply(ctx, event.orderId, {
      type: 'stock-rejected',
      reason: event.reason,
      shortLines: event.shortLines,
    });
  }

  @EventPattern('waybill.inventory.stock-released.v1')
  async onStockReleased(@Payload() event: StockReleasedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.apply(ctx, event.orderId, {
      type: 'stock-released',
      reservationId: event.reservationId,
      reason: event.reason,
    });
  }

  @EventPattern('waybill.payment.authorized.v1')
  async onPaymentAuthorized(@Payload() event: PaymentAuthorizedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.apply(ctx, event.orderId, { type: 'payment-authorized', paymentId: event.paymentId });
  }

  @EventPattern('waybill.payment.failed.v1')
  async onPaymentFailed(@Payload() event: PaymentFailedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.apply(ctx, event.orderId, { type: 'payment-failed', paymentId: event.paymentId });
  }

  @EventPattern('waybill.shipment.created.v1')
  async onShipmentCreated(@Payload() event: ShipmentCreatedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.apply(ctx, event.orderId, {
      type: 'shipment-created',
      shipmentId: event.shipmentId,
      carrier: event.carrier,
      trackingNumber: event.trackingNumber,
      createdAt: event.createdAt,
    });
  }

  @EventPattern('waybill.shipment.delivered.v1')
  async onShipmentDelivered(@Payload() event: ShipmentDeliveredV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.apply(ctx, event.orderId, {
      type: 'shipment-delivered',
      shipmentId: event.shipmentId,
      carrier: event.carrier,
      trackingNumber: event.trackingNumber,
      deliveredAt: event.deliveredAt,
    });
  }

  private async apply(ctx: EventContext, orderId: string, input: SagaInput): Promise<void> {
    try {
      await this.advanceOrder.apply(ctx, orderId, input, {
        cause: { eventId: ctx.event.id, eventType: ctx.event.type },
      });
    } catch (error) {
      // Our order row commits before order.placed leaves, so no other service can know an order
      // we do not: retrying an unknown one cannot help.
      if (error instanceof OrderNotFound) {
        throw new PermanentEventError('ORDER.UNKNOWN_ORDER', error.message);
      }
      throw error;
    }
  }
}
