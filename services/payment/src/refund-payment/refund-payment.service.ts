import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { PaymentRefundReason } from '@waybill/contracts';
import { Outbox } from '@waybill/eventing';
import { DomainError } from '@waybill/platform';
import { Payment } from '../domain/payment';
import { idempotencyKey } from '../domain/payment-outcomes';
import { PaymentRepository, RefundRow } from '../persistence/payment.repository';
import { PaymentProviders } from '../providers/payment-providers';
import { Publish, refundedEvent } from '../saga/payment-events';

export class PaymentNotFound extends DomainError {
  constructor(orderId: string) {
    super('PAYMENT.NOT_FOUND', `no payment for order ${orderId}`, {
      kind: 'not-found',
      details: { orderId },
    });
  }
}

export type RefundResult =
  { readonly ok: true; readonly refund: RefundRow } | { readonly ok: false; readonly error: DomainError };

/** Pays back captured money, all or part: `POST /v1/payments/:orderId/refund`, and cancellation after capture. */
@Injectable()
export class RefundPaymentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly payments: PaymentRepository,
    private readonly providers: PaymentProviders,
  ) {}

  async refund(orderId: string, amount: number | undefined, reason: PaymentRefundReason): Promise<RefundRow> {
    return this.dataSource.transaction(async (manager) => {
      const payment = await this.payments.lock(manager, orderId);
      if (!payment) throw new PaymentNotFound(orderId);
      const result = await this.refundLocked(manager, payment, amount, reason, (events) =>
        this.outbox.enqueue(manager, events),
      );
      if (!result.ok) throw result.error;
      return result.refund;
    });
  }

  /**
   * In the caller's transaction, on a locked payment. The refund's idempotency key is
   * `<orderId>:refund:<n>` with n the refund's sequence number: a request retried after a lost
   * commit asks the provider for the same refund again and gets the first answer back.
   */
  async refundLocked(
    manager: EntityManager,
    payment: Payment,
    amount: number | undefined,
    reason: PaymentRefundReason,
    publish: Publish,
  ): Promise<RefundResult> {
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
    await publish([refundedEvent(payment, { ...refund, reason })]);
    return { ok: true, refund };
  }
}
