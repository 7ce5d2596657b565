import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { PaymentActionRequiredV1, PaymentAuthorizedV1, PaymentFailedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { AdvanceOrder } from '../advance-order/advance-order.service';
import { advanceOnEvent } from './advance-on-event';

/**
 * Payment's answers move the order saga: action-required makes it wait for the buyer, authorized
 * confirms it, failed (or expired) cancels it.
 */
@Controller()
export class PaymentEventHandlers {
  constructor(private readonly advanceOrder: AdvanceOrder) {}

  @EventPattern('waybill.payment.action-required.v1')
  async onPaymentActionRequired(
    @Payload() event: PaymentActionRequiredV1,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    const { type, qrCode, url } = event.nextAction;
    await advanceOnEvent(this.advanceOrder, ctx, event.orderId, {
      type: 'payment-action-required',
      paymentId: event.paymentId,
      action: {
        nextAction: { type, ...(qrCode !== undefined && { qrCode }), ...(url !== undefined && { url }) },
        expiresAt: event.expiresAt,
      },
    });
  }

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
      expired: event.reason === 'PAYMENT.EXPIRED',
    });
  }
}
