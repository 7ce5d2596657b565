import { Injectable } from '@nestjs/common';
import type { PaymentRefundReason } from '@waybill/contracts';
import type { UnitOfWork } from '@waybill/eventing';
import { DomainError } from '@waybill/platform';
import { Payment } from '../domain/payment';
import { refundedEvent } from '../domain/payment-events';
import { idempotencyKey } from '../domain/payment-outcomes';
import { PaymentRepository, RefundRow } from '../persistence/payment.repository';
import { PaymentProviders } from '../providers/payment-providers';

export type RefundResult =
  { readonly ok: true; readonly refund: RefundRow } | { readonly ok: false; readonly error: DomainError };

/**
 * Pays back captured money on a payment the caller has locked, in its unit of work: what an
 * operator's refund (RefundPayment) and a cancellation after capture (AdvancePayment) both do.
 */
@Injectable()
export class Refunds {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly providers: PaymentProviders,
  ) {}

  /**
   * In the caller's transaction, on a locked payment. The refund's idempotency key is
   * `<orderId>:refund:<n>` with n the refund's sequence number: a request retried after a lost
   * commit asks the provider for the same refund again and gets the first answer back.
   */
  async refundLocked(
    uow: UnitOfWork,
    payment: Payment,
    amount: number | undefined,
    reason: PaymentRefundReason,
  ): Promise<RefundResult> {
    const { manager } = uow;
    const check = payment.checkRefund(amount);
    const { orderId, id, provider: providerName, currency, providerPaymentRef } = payment.state;
    if (!check.ok) {
      return {
        ok: false,
        error: new DomainError(check.code, check.message, {
          kind: check.code === 'PAYMENT.NOT_CAPTURED' ? 'conflict' : 'rule-violation',
          details: { orderId, status: payment.status, refundable: payment.refundableAmount },
        }),
      };
    }
    const provider = this.providers.get(providerName);
    if (!provider) {
      return {
        ok: false,
        error: new DomainError(
          'PAYMENT.PROVIDER_NOT_CONFIGURED',
          `payment provider ${providerName} is not configured`,
          {
            kind: 'unavailable',
          },
        ),
      };
    }
    const sequence = payment.nextRefundSequence;
    const outcome = await provider.refund({
      orderId,
      paymentId: id,
      providerPaymentRef,
      amount: check.amount,
      currency: currency ?? '',
      idempotencyKey: idempotencyKey(orderId, `refund:${sequence}`),
      paymentAmount: payment.state.capturedAmount,
      captureRef: payment.state.captureRef,
    });
    if (outcome.kind !== 'done') {
      return {
        ok: false,
        error: new DomainError(
          outcome.kind === 'unavailable' ? 'PAYMENT.PROVIDER_UNAVAILABLE' : 'PAYMENT.REFUND_REFUSED',
          outcome.message,
          {
            kind: outcome.kind === 'unavailable' ? 'unavailable' : 'rule-violation',
            details: { orderId, ...(outcome.kind === 'refused' && { providerCode: outcome.code }) },
          },
        ),
      };
    }
    payment.markRefunded(check.amount);
    await this.payments.save(manager, payment);
    const refund = await this.payments.addRefund(manager, id, {
      sequence,
      amount: check.amount,
      reason,
      providerRefundRef: outcome.providerRef,
      refundedAt: new Date(),
    });
    await uow.publish([refundedEvent(payment, { ...refund, reason })]);
    return { ok: true, refund };
  }
}
