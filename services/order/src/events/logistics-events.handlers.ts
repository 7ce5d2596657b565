import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ShipmentCreatedV1, ShipmentDeliveredV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { AdvanceOrder } from '../advance-order/advance-order.service';
import { advanceOnEvent } from './advance-on-event';

/** Logistics' shipments move the order saga: created ships it, delivered completes it. */
@Controller()
export class LogisticsEventHandlers {
  constructor(private readonly advanceOrder: AdvanceOrder) {}

  @EventPattern('waybill.shipment.created.v1')
  async onShipmentCreated(@Payload() event: ShipmentCreatedV1, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOnEvent(this.advanceOrder, ctx, event.orderId, {
      type: 'shipment-created',
      shipmentId: event.shipmentId,
      carrier: event.carrier,
      trackingNumber: event.trackingNumber,
      createdAt: event.createdAt,
    });
  }

  @EventPattern('waybill.shipment.delivered.v1')
  async onShipmentDelivered(@Payload() event: ShipmentDeliveredV1, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOnEvent(this.advanceOrder, ctx, event.orderId, {
      type: 'shipment-delivered',
      shipmentId: event.shipmentId,
      carrier: event.carrier,
      trackingNumber: event.trackingNumber,
      deliveredAt: event.deliveredAt,
    });
  }
}
