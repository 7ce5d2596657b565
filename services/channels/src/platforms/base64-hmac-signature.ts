/**
 * The one signature scheme Shopify and WooCommerce share: base64(HMAC-SHA256(raw body, secret)) in
 * one header, nothing else signed. Hand-written over node:crypto (through @waybill/platform's
 * hmacSha256 and safeEqual): WooCommerce has no Node library at all, and Shopify's
 * (@shopify/shopify-api) is async, takes the body as a string rather than bytes, one secret per
 * configured app and answers no malformed/mismatched distinction — shopify-signature.ts says why
 * it is used only to prove this check agrees with it.
 */
import { hmacSha256, safeEqual, type WebhookRefusal } from '@waybill/platform';

export interface Base64HmacCheck {
  readonly rawBody: Buffer;
  /** The header's value as received (first of repeated values), or undefined. */
  readonly header: string | undefined;
  /** For messages: `X-Shopify-Hmac-Sha256`, `X-WC-Webhook-Signature`. */
  readonly headerName: string;
  /** Every secret the connection accepts (more than one while it is rotated). */
  readonly secrets: readonly string[];
}

/** Base64 of 32 bytes is 43 characters and one `=`. */
const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * The signature bytes of a header holding the canonical base64 of an HMAC-SHA256, or undefined.
 * Canonical on purpose: Node's decoder would also take a value with other trailing bits, spaces or
 * no padding, which Shopify's own check (a string comparison) refuses; the two must agree.
 */
export function sha256Base64Bytes(header: string): Buffer | undefined {
  if (!SHA256_BASE64.test(header)) {
    return undefined;
  }
  const bytes = Buffer.from(header, 'base64');
  return bytes.toString('base64') === header ? bytes : undefined;
}

/**
 * Undefined when the header holds base64(HMAC-SHA256(rawBody, secret)) for one of the secrets;
 * otherwise why not. Every secret is tried, so the time taken does not tell which one matched.
 */
export function verifyBase64BodyHmac(check: Base64HmacCheck): WebhookRefusal | undefined {
  // An empty secret is no secret: anyone could sign with it, so it never counts as configured.
  const secrets = check.secrets.filter((secret) => secret !== '');
  if (secrets.length === 0) {
    return {
      ok: false,
      rejection: 'NOT_CONFIGURED',
      message: 'no webhook signing secret is configured for this connection',
    };
  }
  if (check.header === undefined || check.header === '') {
    return {
      ok: false,
      rejection: 'SIGNATURE_MISSING',
      message: `the ${check.headerName} header is missing`,
    };
  }
  const signature = sha256Base64Bytes(check.header);
  if (!signature) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MALFORMED',
      message: `the ${check.headerName} header must be the base64 of an HMAC-SHA256 (44 characters)`,
    };
  }
  let matched = false;
  for (const secret of secrets) {
    matched = safeEqual(hmacSha256(secret, check.rawBody), signature) || matched;
  }
  return matched
    ? undefined
    : {
        ok: false,
        rejection: 'SIGNATURE_MISMATCH',
        message: 'the signature does not match the body with the connection’s signing secret',
      };
}
