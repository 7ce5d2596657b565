import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { PaymentAuthorizedV1, PaymentFailedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { AdvanceOrder } from '../advance-order/advance-order.service';
import { advanceOnEvent } from './advance-on-event';

/** Payment's answers move the order saga: authorized confirms it, failed cancels it. */
@Controller()
export class PaymentEventHandlers {
  constructor(private readonly advanceOrder: AdvanceOrder) {}

  @EventPattern('waybill.payment.authorized.v1')
  async onPaymentAuthorized(@Payload() event: PaymentAuthorizedV1, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOnEvent(this.advanceOrder, ctx, event.orderId, {
      type: 'payment-authorized',
      paymentId: event.paymentId,
    });
  }

  @EventPattern('waybill.payment.failed.v1')
  async onPaymentFailed(@Payload() event: PaymentFailedV1, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOnEvent(this.advanceOrder, ctx, event.orderId, {
      type: 'payment-failed',
      paymentId: event.paymentId,
    });
  }
}
