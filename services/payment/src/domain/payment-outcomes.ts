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
  | { readonly kind: 'requires-action'; readonly providerPaymentRef: string }
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
export type ProviderStep = 'authorize' | 'capture' | 'void' | `refund:${number}`;

export function idempotencyKey(orderId: string, step: ProviderStep): string {
  return `${orderId}:${step}`;
}
