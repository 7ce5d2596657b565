import type { WebhookAcknowledgement } from '@waybill/eventing';
import type { WebhookRefusal } from '@waybill/platform';
import type {
  AuthorizationOutcome,
  PaymentQueryOutcome,
  PaymentWebhookEvent,
  SettlementOutcome,
} from '../domain/payment-outcomes';

/**
 * How a provider takes money. `manual`: authorize holds it, capture (on shipment) collects it,
 * void releases it (Stripe, Alipay fund authorisation, UnionPay pre-authorisation). `immediate`:
 * the money is taken when the buyer pays, `payment.captured` follows `payment.authorized` at once,
 * and a cancellation refunds instead of voiding (WeChat Pay, Alipay and UnionPay direct).
 */
export type CaptureMode = 'manual' | 'immediate';

export interface AuthorizeRequest {
  readonly orderId: string;
  readonly paymentId: string;
  readonly amount: number;
  /** ISO 4217, upper case as in the events. */
  readonly currency: string;
  readonly paymentMethodRef: string;
  readonly idempotencyKey: string;
  /** Shown to the buyer by gateways that ask for a subject (Alipay `subject`, WeChat `description`). */
  readonly description: string;
}

export interface SettleRequest {
  readonly orderId: string;
  readonly paymentId: string;
  /** Unknown when the authorize call timed out before the provider told us its id. */
  readonly providerPaymentRef?: string;
  /** What to capture, void or refund, in minor units. */
  readonly amount: number;
  readonly currency: string;
  /**
   * The step's key (`<orderId>:<step>`), the same on every retry: a gateway's request number
   * (Alipay `out_request_no`, WeChat `out_refund_no`, UnionPay `orderId`) is derived from it, so a
   * retried refund is one refund.
   */
  readonly idempotencyKey: string;
  /** The whole payment's amount (WeChat's refund states the original total beside the refund). */
  readonly paymentAmount: number;
  /**
   * On a refund after a capture: the `providerRef` the capture's `done` outcome returned. UnionPay
   * refunds a pre-authorisation by its completion (txnType 03), named by the completion's own
   * queryId, which nothing else the saga holds can recover.
   */
  readonly captureRef?: string;
}

import type { WebhookHeaders } from '@waybill/platform';

export type { WebhookHeaders };

export type WebhookParseResult = { readonly ok: true; readonly event: PaymentWebhookEvent } | WebhookRefusal;

/**
 * One payment provider. Adding a provider is adding one file that implements this. A decline, a
 * timeout or a refusal is a returned outcome, never an exception.
 */
export interface PaymentProvider {
  /** The slug in events and in `/v1/webhooks/payments/:provider`. */
  readonly name: string;
  readonly captureMode: CaptureMode;
  authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome>;
  /** Collects a hold (manual mode only; the saga never captures an immediate payment). */
  capture(request: SettleRequest): Promise<SettlementOutcome>;
  /**
   * Releases a hold, or closes a trade the buyer has not paid (a pending customer action).
   * Releasing or closing an already released or closed one is done.
   */
  void(request: SettleRequest): Promise<SettlementOutcome>;
  refund(request: SettleRequest): Promise<SettlementOutcome>;
  /** Asks the provider where the payment stands (a lost notify; before expiring a payment). */
  query(request: SettleRequest): Promise<PaymentQueryOutcome>;
  /**
   * The answers the provider's notifier expects, when it insists on its own (Alipay the literal
   * `success`, WeChat Pay `{"code":"FAIL",…}` on failure). Without them: Waybill's JSON answer and
   * problem+json refusals.
   */
  readonly webhookAnswers?: WebhookAnswers;
  /** The request headers stored with a webhook's raw body: its signature, so it can be checked again. */
  readonly webhookHeaders: readonly string[];
  /**
   * Verifies the signature (against `now`) and reduces the body to what the saga acts on; the
   * webhook ingress reaches it through PaymentWebhookSource.
   */
  verifyWebhook(rawBody: Buffer, headers: WebhookHeaders, now?: Date): WebhookParseResult;
  /**
   * Reads an already verified, stored raw body again: webhook receipts are processed later from
   * their stored copy, when the signature's timestamp may be past its tolerance.
   */
  readWebhook(rawBody: Buffer): PaymentWebhookEvent;
}

export interface WebhookAnswers {
  /** A notify taken: stored, a duplicate, or of a kind nothing acts on. */
  readonly accepted: WebhookAcknowledgement;
  /** A notify refused (bad signature, stale, unreadable, too large), so the gateway sends it again. */
  refused(refusal: WebhookRefusal): WebhookAcknowledgement;
}
