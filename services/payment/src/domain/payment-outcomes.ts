import type { PaymentFailureReason } from '@waybill/contracts';

/*
 * What a provider answers, normalised. Declines and unknown outcomes are values, not exceptions:
 * only a programming error or an unreachable database throws.
 */

export type AuthorizationOutcome =
  | {
      readonly kind: 'authorized';
      readonly providerPaymentRef: string;
      /** When the provider drops the hold unless captured, if it says. */
      readonly expiresAt?: Date;
    }
  | {
      readonly kind: 'requires-action';
      readonly providerPaymentRef: string;
      /** What the buyer must do, for the storefront to render (a QR code, a redirect). */
      readonly nextAction?: NextAction;
      /** When the provider's trade is closed unless the buyer acts: the payment then expires. */
      readonly expiresAt?: Date;
    }
  | {
      readonly kind: 'failed';
      readonly reason: PaymentFailureReason;
      readonly declineCode?: string;
      readonly message?: string;
      readonly providerPaymentRef?: string;
      /**
       * The provider never answered (timeout, 5xx after retries): the authorization may have gone
       * through anyway, so it must be voided with its idempotency key.
       */
      readonly mayHaveSucceeded?: boolean;
    };

/**
 * What a buyer must do to pay: scan a QR code (Alipay precreate's `qr_code`, WeChat Native's
 * `code_url`) or follow a redirect (Alipay page pay, UnionPay front consumption).
 */
export type NextAction =
  { readonly type: 'qr_code'; readonly qrCode: string } | { readonly type: 'redirect'; readonly url: string };

/**
 * Where a payment stands at its provider, asked when a notify may have been lost and before a
 * payment the buyer never completed is given up. "authorized" means the money is held (manual
 * capture) or already taken (immediate capture).
 */
export type PaymentQueryOutcome =
  | { readonly kind: 'authorized'; readonly providerPaymentRef: string }
  /** The trade exists and waits for the buyer. */
  | { readonly kind: 'awaiting-buyer' }
  /** Closed, declined or never created: no money moved. */
  | {
      readonly kind: 'failed';
      readonly reason: PaymentFailureReason;
      readonly declineCode?: string;
      readonly message?: string;
    }
  /** No answer, or the provider says "unknown, ask again" (UnionPay 03/04/05): ask later. */
  | { readonly kind: 'unknown'; readonly message: string };

/** Capture, void and refund. */
export type SettlementOutcome =
  | { readonly kind: 'done'; readonly providerRef?: string }
  /** The provider answered and said no, e.g. an expired authorization. */
  | { readonly kind: 'refused'; readonly code: string; readonly message: string }
  /** No answer after bounded retries; retrying later with the same idempotency key is safe. */
  | { readonly kind: 'unavailable'; readonly message: string };

/** A provider webhook reduced to what the payment saga acts on. */
export type WebhookOutcome =
  | { readonly kind: 'authorized'; readonly providerPaymentRef: string }
  | {
      readonly kind: 'failed';
      readonly providerPaymentRef: string;
      readonly reason: PaymentFailureReason;
      readonly declineCode?: string;
      readonly message?: string;
    }
  | { readonly kind: 'canceled'; readonly providerPaymentRef: string }
  | { readonly kind: 'captured'; readonly providerPaymentRef: string };

export interface PaymentWebhookEvent {
  /** The provider's event id: the deduplication key of webhook receipts. */
  readonly providerEventId: string;
  /** The provider's event type, e.g. `payment_intent.succeeded`. */
  readonly type: string;
  readonly orderId?: string;
  /** Undefined for event types the saga does not act on (answered 200 and ignored). */
  readonly outcome?: WebhookOutcome;
}

/** Every outbound call carries `<orderId>:<step>`, so a retried message never charges twice. */
export type ProviderStep = 'authorize' | 'capture' | 'void' | 'query' | 'late-refund' | `refund:${number}`;

export function idempotencyKey(orderId: string, step: ProviderStep): string {
  return `${orderId}:${step}`;
}
