import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { OrderCancelledV1, OrderPlacedV1, ShipmentCreatedV1, StockReservedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { PaymentSaga } from '../saga/payment-saga.service';

/** The saga's inputs from other services; each runs in the transaction that holds its inbox row. */
@Controller()
export class PaymentSagaHandlers {
  constructor(private readonly saga: PaymentSaga) {}

  @EventPattern('waybill.order.placed.v1')
  orderPlaced(@Payload() order: OrderPlacedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.saga.orderPlaced(ctx.manager, order, (events) => ctx.publish(events));
  }

  @EventPattern('waybill.inventory.stock-reserved.v1')
  stockReserved(@Payload() stock: StockReservedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.saga.stockReserved(ctx.manager, stock, (events) => ctx.publish(events));
  }

  @EventPattern('waybill.order.cancelled.v1')
  orderCancelled(@Payload() cancelled: OrderCancelledV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.saga.orderCancelled(ctx.manager, cancelled, (events) => ctx.publish(events));
  }

  @EventPattern('waybill.shipment.created.v1')
  shipmentCreated(@Payload() shipment: ShipmentCreatedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.saga.shipmentCreated(ctx.manager, shipment, (events) => ctx.publish(events));
  }
}
