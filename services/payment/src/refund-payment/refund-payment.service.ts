import { Injectable } from '@nestjs/common';
import type { PaymentRefundReason } from '@waybill/contracts';
import { IdempotentAnswer, IdempotentRequests, UnitOfWork, UnitsOfWork } from '@waybill/eventing';
import { PaymentNotFound } from '../payment-errors';
import { PaymentRepository } from '../persistence/payment.repository';
import { Refunds } from '../policies/refunds';

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
    private readonly refunds: Refunds,
  ) {}

  /** Refunds `amount` (default: all that is left) of the order's payment, in `uow`. */
  async execute(uow: UnitOfWork, { orderId, amount, reason }: RefundPaymentCommand): Promise<RefundView> {
    const payment = await this.payments.lock(uow.manager, orderId);
    if (!payment) {
      throw new PaymentNotFound(orderId);
    }
    const result = await this.refunds.refundLocked(uow, payment, amount, reason);
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
