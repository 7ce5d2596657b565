import type { WebhookRefusal } from '@waybill/platform';
import type {
  AuthorizationOutcome,
  PaymentWebhookEvent,
  SettlementOutcome,
} from '../domain/payment-outcomes';

export interface AuthorizeRequest {
  readonly orderId: string;
  readonly paymentId: string;
  readonly amount: number;
  /** ISO 4217, upper case as in the events. */
  readonly currency: string;
  readonly paymentMethodRef: string;
  readonly idempotencyKey: string;
}

export interface SettleRequest {
  readonly orderId: string;
  readonly paymentId: string;
  /** Unknown when the authorize call timed out before the provider told us its id. */
  readonly providerPaymentRef?: string;
  readonly amount: number;
  readonly currency: string;
  readonly idempotencyKey: string;
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
  authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome>;
  capture(request: SettleRequest): Promise<SettlementOutcome>;
  /** Releases a hold (or a pending customer action). Releasing an already released one is done. */
  void(request: SettleRequest): Promise<SettlementOutcome>;
  refund(request: SettleRequest): Promise<SettlementOutcome>;
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
