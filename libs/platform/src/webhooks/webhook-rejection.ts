import {
  BadRequestException,
  HttpException,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import type { SignatureRejection } from './standard-webhooks';

/**
 * Why a webhook is refused before anything is stored: the one vocabulary of every source (payment
 * providers, carriers, suppliers, storefront platforms), whatever scheme it signs with.
 */
export type WebhookRejection = SignatureRejection | 'PAYLOAD_MALFORMED' | 'PAYLOAD_TOO_LARGE';

/** A refused webhook: why, and a message for the sender (never echoing the body or a secret). */
export interface WebhookRefusal {
  readonly ok: false;
  readonly rejection: WebhookRejection;
  readonly message: string;
}

/** What a source's verify answers on the raw bytes: accepted (with what dedups it) or refused. */
export type WebhookVerdict =
  | {
      readonly ok: true;
      /** The sender's own id of this delivery: a second delivery of it is a duplicate. */
      readonly externalId: string;
      readonly eventType: string;
      /** Verified but of a type nothing acts on: answered, never stored. */
      readonly ignored?: boolean;
    }
  | WebhookRefusal;

/**
 * The answer to a webhook refused before anything was stored, with a `WEBHOOK.<reason>` code the
 * sender's logs can show. A missing or malformed header or body is a bad request (the sender must
 * fix it); a signature that does not verify, a stale one or a receiver without a secret is
 * unauthenticated.
 */
export function webhookRejection(rejection: WebhookRejection, message: string): HttpException {
  const body = { code: `WEBHOOK.${rejection}`, message };
  switch (rejection) {
    case 'SIGNATURE_MISMATCH':
    case 'TIMESTAMP_OUT_OF_TOLERANCE':
    case 'NOT_CONFIGURED':
      return new UnauthorizedException(body);
    case 'PAYLOAD_TOO_LARGE':
      return new PayloadTooLargeException(body);
    default:
      return new BadRequestException(body);
  }
}

/** The headers of a Standard Webhooks delivery, stored with its body so the copy verifies again. */
export const STANDARD_WEBHOOK_HEADER_NAMES: readonly string[] = [
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
];
