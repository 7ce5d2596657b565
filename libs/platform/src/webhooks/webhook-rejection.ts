import {
  BadRequestException,
  HttpException,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import type { SignatureRejection } from './standard-webhooks';

export type WebhookRejection = SignatureRejection | 'PAYLOAD_MALFORMED' | 'PAYLOAD_TOO_LARGE';

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
