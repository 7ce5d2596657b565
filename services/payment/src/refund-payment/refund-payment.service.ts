import { Injectable } from '@nestjs/common';
import type { PaymentRefundReason } from '@waybill/contracts';
import { IdempotentAnswer, IdempotentRequests, UnitOfWork, UnitsOfWork } from '@waybill/eventing';
import { DomainError } from '@waybill/platform';
import { Payment } from '../domain/payment';
import { idempotencyKey } from '../domain/payment-outcomes';
import { PaymentRepository, RefundRow } from '../persistence/payment.repository';
import { PaymentProviders } from '../providers/payment-providers';
import { refundedEvent } from '../domain/payment-events';

export class PaymentNotFound extends DomainError {
  constructor(orderId: string) {
    super('PAYMENT.NOT_FOUND', `no payment for order ${orderId}`, {
      kind: 'not-found',
      details: { orderId },
    });
  }
}

/** The answer to `POST /v1/payments/:orderId/refund`, as stored for an Idempotency-Key replay. */
export interface RefundView {
  readonly refundId: string;
  readonly orderId: string;
  readonly amount: number;
  readonly reason: string | null;
  readonly refundedAt: string;
}

export interface RefundRequest {
  /** The caller: Idempotency-Keys are scoped to it. */
  readonly principal: string;
  readonly idempotencyKey?: string;
  readonly orderId: string;
  readonly amount?: number;
  readonly reason: PaymentRefundReason;
}

export type RefundResult =
  { readonly ok: true; readonly refund: RefundRow } | { readonly ok: false; readonly error: DomainError };

export interface RefundPaymentCommand {
  readonly orderId: string;
  /** Minor units; absent: all that is left to refund. */
  readonly amount?: number;
  readonly reason: PaymentRefundReason;
}

/** Pays back captured money, all or part: `POST /v1/payments/:orderId/refund`, and cancellation after capture. */
@Injectable()
export class RefundPayment {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly providers: PaymentProviders,
  ) {}

  /** Refunds `amount` (default: all that is left) of the order's payment, in `uow`. */
  async execute(uow: UnitOfWork, { orderId, amount, reason }: RefundPaymentCommand): Promise<RefundView> {
    const payment = await this.payments.lock(uow.manager, orderId);
    if (!payment) {
      throw new PaymentNotFound(orderId);
    }
    const result = await this.refundLocked(uow, payment, amount, reason);
    if (!result.ok) {
      throw result.error;
    }
    const { refund } = result;
    return {
      refundId: refund.id,
      orderId,
      amount: refund.amount,
      reason: refund.reason ?? null,
      refundedAt: refund.refundedAt.toISOString(),
    };
  }

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

/**
 * An operator's or a back office's refund over HTTP. With an Idempotency-Key a retry after a lost
 * answer gets the first refund back instead of refunding again; the key binds the order and the body.
 */
@Injectable()
export class RefundPaymentRequestHandler {
  constructor(
    private readonly units: UnitsOfWork,
    private readonly refundPayment: RefundPayment,
    private readonly idempotent: IdempotentRequests,
  ) {}

  async handle(request: RefundRequest): Promise<IdempotentAnswer<RefundView>> {
    const { orderId, amount, reason } = request;
    return this.idempotent.run(
      { principal: request.principal, key: request.idempotencyKey, request: { orderId, amount, reason } },
      async (manager) => ({
        status: 201,
        body: await this.refundPayment.execute(this.units.within(manager), { orderId, amount, reason }),
      }),
    );
  }
}
