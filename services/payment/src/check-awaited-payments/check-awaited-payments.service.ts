import { Injectable, Logger } from '@nestjs/common';
import type { UnitOfWork } from '@waybill/eventing';
import type { Payment } from '../domain/payment';
import { PaymentRepository } from '../persistence/payment.repository';
import { PaymentDecisions } from '../policies/payment-decisions';
import { PaymentProviders } from '../providers/payment-providers';

export interface CheckAwaitedPaymentsCommand {
  readonly now: Date;
  /** A payment not asked about for this long is asked again (its notify may be lost). */
  readonly queryEverySeconds: number;
  readonly batchSize: number;
}

export interface CheckAwaitedPaymentsResult {
  /** Payments looked at (locked) in this batch. */
  readonly checked: number;
  readonly recovered: number;
  readonly expired: number;
  /** Failed at the provider before the deadline (closed or declined there). */
  readonly failed: number;
}

/**
 * Payments that wait on the buyer (a QR code, a redirect), in one unit of work: each is asked
 * about at its provider, since a notify can be lost —
 *   paid (or held)          → authorized, as if the notify had come (and captured, if immediate);
 *   failed at the provider  → failed;
 *   still waiting, or no answer, before the deadline → asked again later;
 *   past the deadline        → the trade is closed at the provider, then the payment fails
 *                              PAYMENT.EXPIRED and the order is cancelled (its stock released).
 * A close that does not go through leaves the payment waiting for the next sweep: expiring it
 * while the buyer can still pay would take money for a cancelled order. And if the buyer pays in
 * the moment between query and close, the late payment is refunded when its notify arrives.
 */
@Injectable()
export class CheckAwaitedPayments {
  private readonly logger = new Logger(CheckAwaitedPayments.name);

  constructor(
    private readonly payments: PaymentRepository,
    private readonly providers: PaymentProviders,
    private readonly decisions: PaymentDecisions,
  ) {}

  async execute(uow: UnitOfWork, command: CheckAwaitedPaymentsCommand): Promise<CheckAwaitedPaymentsResult> {
    const { now, queryEverySeconds, batchSize } = command;
    const due = await this.payments.lockAwaitingBuyer(uow.manager, now, queryEverySeconds, batchSize);
    const counts = { recovered: 0, expired: 0, failed: 0, waiting: 0 };
    for (const payment of due) {
      counts[await this.check(uow, payment, now)] += 1;
    }
    const { recovered, expired, failed } = counts;
    return { checked: due.length, recovered, expired, failed };
  }

  private async check(
    uow: UnitOfWork,
    payment: Payment,
    now: Date,
  ): Promise<'recovered' | 'expired' | 'failed' | 'waiting'> {
    const { orderId, provider: providerName } = payment.state;
    const provider = this.providers.get(providerName);
    payment.markQueried(now);
    if (!provider) {
      this.logger.warn(
        `payment of order ${orderId} waits on ${providerName ?? '(none)'}, which is not configured`,
      );
      await this.payments.save(uow.manager, payment);
      return 'waiting';
    }
    const answer = await provider.query(this.decisions.settleRequest(payment, 'query'));
    if (answer.kind === 'authorized') {
      const decision = payment.applyAuthorization(answer, now);
      await this.decisions.follow(uow, payment, decision, answer.providerPaymentRef);
      this.logger.log(
        `payment of order ${orderId} was found paid at ${provider.name}: its notify never came`,
      );
      return 'recovered';
    }
    if (answer.kind === 'failed') {
      const decision = payment.isActionExpired(now)
        ? payment.expire(now)
        : payment.applyAuthorization(answer, now);
      await this.decisions.follow(uow, payment, decision);
      return decision.emit?.includes('failed') && payment.state.failureReason === 'PAYMENT.EXPIRED'
        ? 'expired'
        : 'failed';
    }
    if (!payment.isActionExpired(now)) {
      await this.payments.save(uow.manager, payment);
      return 'waiting';
    }
    // Past the deadline and not paid (or no answer): close the trade before giving up on it.
    const closed = await provider.void(this.decisions.settleRequest(payment, 'void'));
    if (closed.kind !== 'done') {
      this.logger.warn(
        `payment of order ${orderId} is past its deadline but ${provider.name} did not close it (${closed.message}); trying again`,
      );
      await this.payments.save(uow.manager, payment);
      return 'waiting';
    }
    await this.decisions.follow(uow, payment, payment.expire(now));
    return 'expired';
  }
}
