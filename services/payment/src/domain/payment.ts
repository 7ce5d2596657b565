import type { PaymentFailureReason, PaymentVoidReason } from '@waybill/contracts';
import type { AuthorizationOutcome, NextAction, WebhookOutcome } from './payment-outcomes';
import { canMove, isAwaitingAuthorization, PaymentStatus } from './payment-status';

/**
 * How the payment's provider takes money (see CaptureMode in providers/payment-provider.ts):
 * remembered when authorizing starts, so a payment keeps the mode it was opened with.
 */
export type PaymentCaptureMode = 'manual' | 'immediate';

/** One payment per order, as stored. Dates are instants; amounts are minor units. */
export interface PaymentRecord {
  readonly id: string;
  readonly orderId: string;
  status: PaymentStatus;
  /** From order.placed; unset until it has been seen. */
  provider?: string;
  paymentMethodRef?: string;
  amount?: number;
  currency?: string;
  orderPlacedSeenAt?: Date;
  /** From inventory.stock-reserved; unset until it has been seen. */
  reservationId?: string;
  stockReservedSeenAt?: Date;
  cancelRequestedAt?: Date;
  providerPaymentRef?: string;
  captureMode?: PaymentCaptureMode;
  /** What the buyer must do (REQUIRES_ACTION), and until when the provider waits for it. */
  nextAction?: NextAction;
  actionExpiresAt?: Date;
  /** When the provider was last asked about a payment waiting on the buyer. */
  actionQueriedAt?: Date;
  authorizedAt?: Date;
  authorizationExpiresAt?: Date;
  capturedAt?: Date;
  /** The provider's id of the capture itself, when it has one (UnionPay refunds by it). */
  captureRef?: string;
  capturedAmount: number;
  refundedAmount: number;
  refundCount: number;
  voidedAt?: Date;
  voidReason?: PaymentVoidReason;
  failedAt?: Date;
  failureReason?: PaymentFailureReason;
  declineCode?: string;
  failureMessage?: string;
}

/** What the application must announce after a change. */
export type PaymentEventKind = 'action-required' | 'authorized' | 'failed' | 'voided' | 'captured';

export interface Decision {
  /** In this order (an immediate payment announces authorized, then captured). */
  readonly emit?: readonly PaymentEventKind[];
  /**
   * Release a hold at the provider: an authorization landed after the order was cancelled or the
   * payment failed, or the provider never answered and may have authorized anyway.
   */
  readonly voidAtProvider?: boolean;
  /**
   * Give money back at the provider: an immediate payment (money already taken) landed after the
   * payment expired, failed or was cancelled — the buyer paid at the last second.
   */
  readonly refundLatePayment?: boolean;
}

/** The forward action a cancellation needs, with its compensation named beside it. */
export type CancellationPlan =
  | { readonly action: 'none' }
  /** A hold (or a pending customer action) exists at the provider: void it, then markVoided. */
  | { readonly action: 'void' }
  /** Money was already collected: refund what is left, then markRefunded. */
  | { readonly action: 'refund'; readonly amount: number };

export type RefundCheck =
  | { readonly ok: true; readonly amount: number }
  | {
      readonly ok: false;
      readonly code: 'PAYMENT.NOT_CAPTURED' | 'PAYMENT.REFUND_EXCEEDS_CAPTURED';
      readonly message: string;
    };

export interface OrderPaymentDetails {
  readonly provider: string;
  readonly paymentMethodRef: string;
  readonly amount: number;
  readonly currency: string;
}

const NOTHING: Decision = {};

/**
 * The payment of one order: pure rules, no I/O. Methods change the record only along the state
 * machine and tell the caller what to announce; anything out of order is a no-op.
 */
export class Payment {
  constructor(private readonly record: PaymentRecord) {}

  static start(id: string, orderId: string): Payment {
    return new Payment({
      id,
      orderId,
      status: 'PENDING',
      capturedAmount: 0,
      refundedAmount: 0,
      refundCount: 0,
    });
  }

  get state(): Readonly<PaymentRecord> {
    return this.record;
  }

  get status(): PaymentStatus {
    return this.record.status;
  }

  /** order.placed: remembers what to charge. A duplicate changes nothing. */
  recordOrderPlaced(details: OrderPaymentDetails, at: Date): void {
    if (this.record.orderPlacedSeenAt) {
      return;
    }
    Object.assign(this.record, details, { orderPlacedSeenAt: at });
  }

  /** inventory.stock-reserved: the stock is held. A duplicate changes nothing. */
  recordStockReserved(reservationId: string, at: Date): void {
    if (this.record.stockReservedSeenAt) {
      return;
    }
    this.record.reservationId = reservationId;
    this.record.stockReservedSeenAt = at;
  }

  /** Both halves seen, not cancelled and never tried: whichever event arrived second authorizes. */
  get readyToAuthorize(): boolean {
    return (
      this.record.status === 'PENDING' &&
      this.record.orderPlacedSeenAt !== undefined &&
      this.record.stockReservedSeenAt !== undefined &&
      this.record.cancelRequestedAt === undefined
    );
  }

  startAuthorizing(captureMode: PaymentCaptureMode): void {
    if (!this.readyToAuthorize) {
      throw new Error(`payment of order ${this.record.orderId} is not ready to authorize`);
    }
    this.record.captureMode = captureMode;
    this.move('AUTHORIZING');
  }

  get isImmediate(): boolean {
    return this.record.captureMode === 'immediate';
  }

  /** The answer to authorize, or a provider webhook that resolves a pending customer action. */
  applyAuthorization(outcome: AuthorizationOutcome, at: Date): Decision {
    const { status } = this.record;
    if (!isAwaitingAuthorization(status)) {
      // A hold (or, for an immediate payment, money) that lands after the payment expired, failed
      // or the order was cancelled must not stay: released, or paid back.
      const late = outcome.kind === 'authorized' && (status === 'FAILED' || status === 'VOIDED');
      if (!late) {
        return NOTHING;
      }
      if (!this.isImmediate) {
        return { voidAtProvider: true };
      }
      // Paid back once: a repeated notify of the same late payment finds it collected already.
      return this.record.capturedAmount > 0 ? NOTHING : { refundLatePayment: true };
    }
    switch (outcome.kind) {
      case 'authorized':
        this.record.providerPaymentRef = outcome.providerPaymentRef;
        this.record.authorizedAt = at;
        this.record.authorizationExpiresAt = outcome.expiresAt;
        this.record.nextAction = undefined;
        this.move('AUTHORIZED');
        if (this.isImmediate) {
          // Paid when the buyer paid: there is no hold to capture on shipment.
          this.collect(at);
          return { emit: ['authorized', 'captured'] };
        }
        return { emit: ['authorized'] };
      case 'requires-action':
        if (status === 'REQUIRES_ACTION') {
          return NOTHING;
        }
        this.record.providerPaymentRef = outcome.providerPaymentRef;
        this.record.nextAction = outcome.nextAction;
        this.record.actionExpiresAt = outcome.expiresAt;
        this.move('REQUIRES_ACTION');
        // Announced when the buyer has something to do that a storefront can show.
        return outcome.nextAction && outcome.expiresAt ? { emit: ['action-required'] } : NOTHING;
      case 'failed':
        this.record.providerPaymentRef ??= outcome.providerPaymentRef;
        this.record.failedAt = at;
        this.record.failureReason = outcome.reason;
        this.record.declineCode = outcome.declineCode;
        this.record.failureMessage = outcome.message;
        this.record.nextAction = undefined;
        this.move('FAILED');
        return { emit: ['failed'], voidAtProvider: outcome.mayHaveSucceeded === true };
    }
  }

  /**
   * Waiting on the buyer, with a deadline the provider set: what CheckAwaitedPayments asks the
   * provider about (a lost notify) and gives up once past `actionExpiresAt`.
   */
  get awaitsBuyer(): boolean {
    return this.record.status === 'REQUIRES_ACTION' && this.record.actionExpiresAt !== undefined;
  }

  isActionExpired(now: Date): boolean {
    return this.awaitsBuyer && (this.record.actionExpiresAt?.getTime() ?? Infinity) <= now.getTime();
  }

  markQueried(at: Date): void {
    this.record.actionQueriedAt = at;
  }

  /** The buyer never paid and the provider's trade is closed: the order hears payment failed. */
  expire(at: Date): Decision {
    if (!this.awaitsBuyer) {
      return NOTHING;
    }
    return this.applyAuthorization(
      {
        kind: 'failed',
        reason: 'PAYMENT.EXPIRED',
        message: `the buyer did not pay by ${this.record.actionExpiresAt?.toISOString() ?? 'the deadline'}`,
      },
      at,
    );
  }

  /**
   * A late payment was paid back (refundLatePayment): the money came and went, the payment stays
   * failed or voided. Recorded as collected and refunded, so reconciliation sees both.
   */
  recordLatePaymentRefunded(amount: number): void {
    this.record.capturedAmount += amount;
    this.record.refundedAmount += amount;
    this.record.refundCount += 1;
  }

  /** order.cancelled. Remembered even when nothing is held yet, so nothing is authorized later. */
  requestCancellation(at: Date): CancellationPlan {
    this.record.cancelRequestedAt ??= at;
    switch (this.record.status) {
      case 'PENDING':
      case 'AUTHORIZING':
        // Nothing is held at the provider: just close the payment.
        this.record.voidedAt = at;
        this.record.voidReason = 'PAYMENT.ORDER_CANCELLED';
        this.move('VOIDED');
        return { action: 'none' };
      case 'REQUIRES_ACTION':
      case 'AUTHORIZED':
        return { action: 'void' };
      case 'CAPTURED': {
        const remaining = this.refundableAmount;
        return remaining > 0 ? { action: 'refund', amount: remaining } : { action: 'none' };
      }
      default:
        return { action: 'none' };
    }
  }

  /** After the provider released the hold. Announced only if an authorization had been announced. */
  markVoided(reason: PaymentVoidReason, at: Date): Decision {
    const wasAuthorized = this.record.status === 'AUTHORIZED';
    if (!canMove(this.record.status, 'VOIDED')) {
      return NOTHING;
    }
    this.record.voidedAt = at;
    this.record.voidReason = reason;
    this.move('VOIDED');
    return wasAuthorized ? { emit: ['voided'] } : NOTHING;
  }

  /** shipment.created: only an authorized payment is captured; a repeat is a no-op. */
  get readyToCapture(): boolean {
    return this.record.status === 'AUTHORIZED';
  }

  markCaptured(at: Date, captureRef?: string): Decision {
    if (!canMove(this.record.status, 'CAPTURED')) {
      return NOTHING;
    }
    this.record.captureRef = captureRef;
    this.collect(at);
    return { emit: ['captured'] };
  }

  private collect(at: Date): void {
    this.record.capturedAt = at;
    this.record.capturedAmount = this.record.amount ?? 0;
    this.move('CAPTURED');
  }

  get refundableAmount(): number {
    return this.record.status === 'CAPTURED' ? this.record.capturedAmount - this.record.refundedAmount : 0;
  }

  /** A refund of `amount` (default: all that is left) may go ahead. */
  checkRefund(amount?: number): RefundCheck {
    if (this.record.status !== 'CAPTURED') {
      return {
        ok: false,
        code: 'PAYMENT.NOT_CAPTURED',
        message: `payment of order ${this.record.orderId} is ${this.record.status}; only a captured payment can be refunded`,
      };
    }
    const remaining = this.refundableAmount;
    const wanted = amount ?? remaining;
    if (wanted < 1 || wanted > remaining) {
      return {
        ok: false,
        code: 'PAYMENT.REFUND_EXCEEDS_CAPTURED',
        message: `at most ${remaining} can be refunded`,
      };
    }
    return { ok: true, amount: wanted };
  }

  /** The step name of the next refund: its idempotency key, so a retried request is not paid twice. */
  get nextRefundSequence(): number {
    return this.record.refundCount + 1;
  }

  markRefunded(amount: number): void {
    const check = this.checkRefund(amount);
    if (!check.ok) {
      throw new Error(check.message);
    }
    this.record.refundedAmount += amount;
    this.record.refundCount += 1;
    if (this.record.refundedAmount === this.record.capturedAmount) {
      this.move('REFUNDED');
    }
  }

  /** A provider webhook about this payment. */
  applyWebhook(outcome: WebhookOutcome, at: Date): Decision {
    switch (outcome.kind) {
      case 'authorized':
      case 'failed':
        return this.applyAuthorization(outcome, at);
      case 'captured':
        // Captured outside the saga (e.g. in the provider's dashboard): follow it.
        return this.record.status === 'AUTHORIZED' ? this.markCaptured(at) : NOTHING;
      case 'canceled':
        if (this.record.status === 'AUTHORIZED') {
          return this.markVoided('PAYMENT.AUTHORIZATION_EXPIRED', at);
        }
        if (isAwaitingAuthorization(this.record.status) && this.record.status !== 'PENDING') {
          // The provider gave up on the attempt: the order must hear that payment failed.
          return this.applyAuthorization(
            {
              kind: 'failed',
              reason: 'PAYMENT.PROVIDER_ERROR',
              message: 'the provider canceled the payment',
            },
            at,
          );
        }
        return NOTHING;
    }
  }

  private move(to: PaymentStatus): void {
    if (!canMove(this.record.status, to)) {
      throw new Error(
        `payment of order ${this.record.orderId} cannot move from ${this.record.status} to ${to}`,
      );
    }
    this.record.status = to;
  }
}
