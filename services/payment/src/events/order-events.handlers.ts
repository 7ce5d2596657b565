import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { OrderCancelledV1, OrderPlacedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { AdvancePayment } from '../advance-payment/advance-payment.service';

/** The order's steps of the payment saga: placed (authorize once stock is reserved), cancelled (void or refund). */
@Controller()
export class OrderEventHandlers {
  constructor(private readonly advancePayment: AdvancePayment) {}

  @EventPattern('waybill.order.placed.v1')
  orderPlaced(@Payload() order: OrderPlacedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.advancePayment.execute(ctx, { type: 'order-placed', order });
  }

  @EventPattern('waybill.order.cancelled.v1')
  orderCancelled(@Payload() cancelled: OrderCancelledV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.advancePayment.execute(ctx, { type: 'order-cancelled', cancelled });
  }
}
