import {
  headerValue,
  hmacSha256,
  safeEqual,
  verifyTimestampTolerance,
  type WebhookHeaders,
} from '@waybill/platform';
import type { PaymentWebhookEvent } from '../domain/payment-outcomes';
import type { WebhookParseResult } from './payment-provider';

/**
 * Stripe's webhook signature scheme, also used by the sandbox provider:
 * `<header>: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each v1 an HMAC-SHA256 of `"<t>.<raw body>"`.
 * Several v1 values (and several secrets here) let either side rotate its secret; any match is
 * enough. Other schemes in the header (v0, unknown keys) are ignored, as Stripe's own libraries do.
 */
export interface SignatureCheck {
  readonly header: string | undefined;
  readonly headerName: string;
  readonly rawBody: Buffer;
  readonly secrets: readonly string[];
  readonly toleranceSeconds: number;
  readonly now?: Date;
}

export type SignatureVerdict = { readonly ok: true } | Extract<WebhookParseResult, { ok: false }>;

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

export function verifyWebhookSignature(check: SignatureCheck): SignatureVerdict {
  if (check.secrets.length === 0) {
    return {
      ok: false,
      rejection: 'NOT_CONFIGURED',
      message: 'no webhook secret is configured for this provider',
    };
  }
  const header = check.header?.trim();
  if (!header) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MISSING',
      message: `the ${check.headerName} header is missing`,
    };
  }
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      continue;
    }
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      timestamp ??= value;
    }
    // Decoded before comparing: hex case must not matter, and garbage never matches.
    if (key === 'v1' && HEX_SHA256.test(value)) {
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MALFORMED',
      message: `the ${check.headerName} header must look like t=<unix seconds>,v1=<hex sha256>`,
    };
  }
  const signedPayload = Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), check.rawBody]);
  // Every pair is compared, so the time taken does not tell which secret or signature matched.
  let matched = false;
  for (const secret of check.secrets) {
    const expected = hmacSha256(secret, signedPayload);
    for (const signature of signatures) {
      matched = safeEqual(expected, signature) || matched;
    }
  }
  if (!matched) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
      message: 'no signature matches the body with any configured secret',
    };
  }
  // Checked after the signature, so an attacker cannot learn the tolerance without a valid secret.
  if (!verifyTimestampTolerance(timestamp, check.toleranceSeconds, check.now ?? new Date())) {
    return {
      ok: false,
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
      message: `the signature timestamp is more than ${check.toleranceSeconds} s away from now`,
    };
  }
  return { ok: true };
}

/** What a sender puts in the header; used by the sandbox docs and by tests playing a provider. */
export function signWebhook(rawBody: Buffer | string, secret: string, timestamp: number): string {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const mac = hmacSha256(secret, Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), body])).toString('hex');
  return `t=${timestamp},v1=${mac}`;
}

export interface SignedWebhookOptions {
  readonly headerName: string;
  readonly secrets: readonly string[];
  readonly toleranceSeconds: number;
}

/**
 * A provider's `parseWebhook` for this scheme: verify the signature on the raw body first, only
 * then read it with the provider's own `interpret`; a body that does not read is PAYLOAD_MALFORMED.
 */
export function parseSignedWebhook(
  rawBody: Buffer,
  headers: WebhookHeaders,
  options: SignedWebhookOptions,
  interpret: (rawBody: Buffer) => PaymentWebhookEvent,
  now?: Date,
): WebhookParseResult {
  const verdict = verifyWebhookSignature({
    header: headerValue(headers, options.headerName),
    headerName: options.headerName,
    rawBody,
    secrets: options.secrets,
    toleranceSeconds: options.toleranceSeconds,
    now,
  });
  if (!verdict.ok) {
    return verdict;
  }
  try {
    return { ok: true, event: interpret(rawBody) };
  } catch (error) {
    return { ok: false, rejection: 'PAYLOAD_MALFORMED', message: (error as Error).message };
  }
}
