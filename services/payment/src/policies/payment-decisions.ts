import { Injectable, Logger } from '@nestjs/common';
import type { UnitOfWork } from '@waybill/eventing';
import type { Decision, Payment } from '../domain/payment';
import { paymentEvent, refundedEvent } from '../domain/payment-events';
import { idempotencyKey, ProviderStep } from '../domain/payment-outcomes';
import { PaymentRepository } from '../persistence/payment.repository';
import type { SettleRequest } from '../providers/payment-provider';
import { PaymentProviders } from '../providers/payment-providers';

/**
 * Carries out what the payment domain decided, on a payment the caller has locked, in its unit
 * of work: releases a stray hold, pays back a late payment, saves, and announces the events in
 * order. What every use case that moves a payment (AdvancePayment, CheckAwaitedPayments) does
 * after asking the domain.
 */
@Injectable()
export class PaymentDecisions {
  private readonly logger = new Logger(PaymentDecisions.name);

  constructor(
    private readonly payments: PaymentRepository,
    private readonly providers: PaymentProviders,
  ) {}

  async follow(
    uow: UnitOfWork,
    payment: Payment,
    decision: Decision,
    providerPaymentRef?: string,
  ): Promise<void> {
    const ref = providerPaymentRef ?? payment.state.providerPaymentRef;
    if (decision.voidAtProvider) {
      await this.voidStrayHold(payment, ref);
    }
    if (decision.refundLatePayment) {
      await this.refundLatePayment(uow, payment, ref);
    }
    await this.payments.save(uow.manager, payment);
    await this.announce(uow, payment, decision);
  }

  async announce(uow: UnitOfWork, payment: Payment, decision: Decision): Promise<void> {
    if (decision.emit && decision.emit.length > 0) {
      await uow.publish(decision.emit.map((kind) => paymentEvent(payment, kind)));
    }
  }

  /** The request for a provider call about this payment's whole amount. */
  settleRequest(payment: Payment, step: ProviderStep, providerPaymentRef?: string): SettleRequest {
    const { orderId, id, amount, currency } = payment.state;
    return {
      orderId,
      paymentId: id,
      providerPaymentRef: providerPaymentRef ?? payment.state.providerPaymentRef,
      amount: amount ?? 0,
      currency: currency ?? '',
      idempotencyKey: idempotencyKey(orderId, step),
      paymentAmount: amount ?? 0,
    };
  }

  private async voidStrayHold(payment: Payment, ref: string | undefined): Promise<void> {
    const provider = this.providers.get(payment.state.provider);
    const outcome = provider ? await provider.void(this.settleRequest(payment, 'void', ref)) : undefined;
    if (outcome?.kind !== 'done') {
      // Best effort: the payment is already closed for the saga; an uncaptured hold expires at
      // the provider, and a late authorization webhook triggers this void again.
      this.logger.warn(
        `could not void a stray hold for order ${payment.state.orderId}: ${outcome ? outcome.message : 'provider not configured'}`,
      );
    }
  }

  /**
   * Money that arrived after the payment was given up must go back, and must go back once: the
   * refund's key is `<orderId>:late-refund` on every attempt. Unlike a stray hold, it cannot be
   * left to expire, so a refund that does not go through throws and the webhook (or sweep) that
   * brought the news is tried again.
   */
  private async refundLatePayment(uow: UnitOfWork, payment: Payment, ref: string | undefined): Promise<void> {
    const { orderId, provider: providerName, amount } = payment.state;
    const provider = this.providers.get(providerName);
    if (!provider || amount === undefined) {
      throw new Error(
        `a late payment of order ${orderId} cannot be refunded: provider ${providerName ?? '(none)'} is not configured`,
      );
    }
    const outcome = await provider.refund(this.settleRequest(payment, 'late-refund', ref));
    if (outcome.kind !== 'done') {
      throw new Error(
        `the refund of a late payment of order ${orderId} did not go through: ${outcome.message}`,
      );
    }
    payment.recordLatePaymentRefunded(amount);
    const refund = await this.payments.addRefund(uow.manager, payment.state.id, {
      sequence: payment.state.refundCount,
      amount,
      reason: 'PAYMENT.LATE_PAYMENT',
      providerRefundRef: outcome.providerRef,
      refundedAt: new Date(),
    });
    this.logger.warn(
      `order ${orderId} was paid after its payment ended; refunded ${amount} at ${providerName}`,
    );
    await uow.publish([refundedEvent(payment, { ...refund, reason: 'PAYMENT.LATE_PAYMENT' })]);
  }
}
