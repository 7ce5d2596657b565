import { createHmac } from 'node:crypto';
import { standardWebhookHeaders } from './standard-webhook-signing';

// The carriers' own header names, written out as the carriers document them rather than imported
// from the adapters: a fake that borrowed the adapter's constant could not catch a wrong one. The
// signatures are computed here on node:crypto for the same reason, never with Waybill's helpers.
const AFTERSHIP_SIGNATURE_HEADER = 'aftership-hmac-sha256';
const EASYPOST_SIGNATURE_HEADER = 'x-hmac-signature';

/** The headers each carrier sends with a webhook, computed exactly as the carrier does. */
export type WebhookSigner = (
  rawBody: Buffer,
  secret: string,
  at: Date,
  id?: string,
) => Record<string, string>;

/** AfterShip: base64 HMAC-SHA256 of the raw body. */
export const signAfterShip: WebhookSigner = (rawBody, secret) => ({
  [AFTERSHIP_SIGNATURE_HEADER]: createHmac('sha256', secret).update(rawBody).digest('base64'),
});

/** EasyPost: `hmac-sha256-hex=` + hex HMAC-SHA256 of the raw body, keyed with the NFKD-normalised secret. */
export const signEasyPost: WebhookSigner = (rawBody, secret) => ({
  [EASYPOST_SIGNATURE_HEADER]: `hmac-sha256-hex=${createHmac(
    'sha256',
    Buffer.from(secret.normalize('NFKD'), 'utf8'),
  )
    .update(rawBody)
    .digest('hex')}`,
});

/** Direct carriers and the sandbox: Standard Webhooks. */
export const signStandard: WebhookSigner = (
  rawBody,
  secret,
  at,
  id = `msg_${at.getTime()}_${rawBody.length}`,
) => ({
  ...standardWebhookHeaders({ id, timestamp: Math.floor(at.getTime() / 1000), rawBody, secret }),
});

export function whsec(text: string): string {
  return `whsec_${Buffer.from(text).toString('base64')}`;
}
