import { hmacSha256, signStandardWebhook } from '@waybill/platform';
import { AFTERSHIP_SIGNATURE_HEADER } from '../../src/carriers/aftership.carrier';
import { EASYPOST_SIGNATURE_HEADER } from '../../src/carriers/easypost.carrier';

/** The headers each carrier sends with a webhook, computed exactly as the carrier does. */
export type WebhookSigner = (
  rawBody: Buffer,
  secret: string,
  at: Date,
  id?: string,
) => Record<string, string>;

/** AfterShip: base64 HMAC-SHA256 of the raw body. */
export const signAfterShip: WebhookSigner = (rawBody, secret) => ({
  [AFTERSHIP_SIGNATURE_HEADER]: hmacSha256(secret, rawBody).toString('base64'),
});

/** EasyPost: `hmac-sha256-hex=` + hex HMAC-SHA256 of the raw body, keyed with the NFKD-normalised secret. */
export const signEasyPost: WebhookSigner = (rawBody, secret) => ({
  [EASYPOST_SIGNATURE_HEADER.toLowerCase()]: `hmac-sha256-hex=${hmacSha256(
    Buffer.from(secret.normalize('NFKD'), 'utf8'),
    rawBody,
  ).toString('hex')}`,
});

/** Direct carriers and the sandbox: Standard Webhooks. */
export const signStandard: WebhookSigner = (
  rawBody,
  secret,
  at,
  id = `msg_${at.getTime()}_${rawBody.length}`,
) => ({
  ...signStandardWebhook({ id, timestamp: Math.floor(at.getTime() / 1000), rawBody, secrets: [secret] }),
});

export function whsec(text: string): string {
  return `whsec_${Buffer.from(text).toString('base64')}`;
}
