import { hmacSha256, signStandardWebhook } from '@waybill/platform';

// The carriers' own header names, written out as the carriers document them rather than imported
// from the adapters: a fake that borrowed the adapter's constant could not catch a wrong one.
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
  [AFTERSHIP_SIGNATURE_HEADER]: hmacSha256(secret, rawBody).toString('base64'),
});

/** EasyPost: `hmac-sha256-hex=` + hex HMAC-SHA256 of the raw body, keyed with the NFKD-normalised secret. */
export const signEasyPost: WebhookSigner = (rawBody, secret) => ({
  [EASYPOST_SIGNATURE_HEADER]: `hmac-sha256-hex=${hmacSha256(
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
