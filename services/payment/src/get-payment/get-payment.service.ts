import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PaymentRepository } from '../persistence/payment.repository';
import { PaymentNotFound } from '../payment-errors';

/** What `GET /v1/payments/:orderId` shows: state and amounts, the provider's reference, never the payment method. */
export interface PaymentView {
  readonly orderId: string;
  readonly paymentId: string;
  readonly status: string;
  readonly provider: string | null;
  readonly providerPaymentRef: string | null;
  readonly amount: number | null;
  readonly currency: string | null;
  readonly capturedAmount: number;
  readonly refundedAmount: number;
  readonly failure: {
    readonly reason: string;
    readonly declineCode: string | null;
    readonly message: string | null;
  } | null;
  readonly authorizedAt: string | null;
  readonly capturedAt: string | null;
  readonly voidedAt: string | null;
  readonly failedAt: string | null;
  readonly refunds: readonly {
    readonly refundId: string;
    readonly amount: number;
    readonly reason: string | null;
    readonly refundedAt: string;
  }[];
}

@Injectable()
export class GetPayment {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentRepository,
  ) {}

  async execute(orderId: string): Promise<PaymentView> {
    const manager = this.dataSource.manager;
    const payment = await this.payments.find(manager, orderId);
    if (!payment) {
      throw new PaymentNotFound(orderId);
    }
    const s = payment.state;
    const refunds = await this.payments.refunds(manager, s.id);
    const iso = (date: Date | undefined) => date?.toISOString() ?? null;
    return {
      orderId: s.orderId,
      paymentId: s.id,
      status: s.status,
      provider: s.provider ?? null,
      providerPaymentRef: s.providerPaymentRef ?? null,
      amount: s.amount ?? null,
      currency: s.currency ?? null,
      capturedAmount: s.capturedAmount,
      refundedAmount: s.refundedAmount,
      failure: s.failureReason
        ? { reason: s.failureReason, declineCode: s.declineCode ?? null, message: s.failureMessage ?? null }
        : null,
      authorizedAt: iso(s.authorizedAt),
      capturedAt: iso(s.capturedAt),
      voidedAt: iso(s.voidedAt),
      failedAt: iso(s.failedAt),
      refunds: refunds.map((r) => ({
        refundId: r.id,
        amount: r.amount,
        reason: r.reason ?? null,
        refundedAt: r.refundedAt.toISOString(),
      })),
    };
  }
}
