import { headerValue, verifyTimestampTolerance, type WebhookHeaders } from '@waybill/platform';
import Stripe from 'stripe';
import type { PaymentWebhookEvent } from '../domain/payment-outcomes';
import type { WebhookParseResult } from './payment-provider';

/**
 * Stripe's webhook signature scheme, also used by the sandbox provider:
 * `<header>: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each v1 an HMAC-SHA256 of `"<t>.<raw body>"`.
 * Several v1 values (and several secrets here) let either side rotate its secret; any match is
 * enough. Other schemes in the header (v0, unknown keys) are ignored, as Stripe's own libraries do.
 *
 * The signature is checked by the `stripe` package (`Stripe.webhooks.signature.verifyHeader`, the
 * check `constructEvent` runs before it parses the body; constructEvent itself is not called
 * because reading the body is the provider's `interpret`, after verification, so that a signed
 * body that is not an event is PAYLOAD_MALFORMED rather than a signature failure). Around it, and
 * hand-written on purpose:
 * - the header is read here first, because the package cannot tell our rejections apart: a
 *   missing `t`, a `t` that is not unix seconds and a v1 that is not hex all come out of it as "no
 *   signature matches" (SIGNATURE_MALFORMED here), and it compares hex case-sensitively, so the
 *   v1 values are handed to it in lower case (hex case never mattered to Waybill);
 * - the timestamp tolerance is ours, checked after the signature matched: the package only bounds
 *   a timestamp's age (a future one passes) and checks against the wall clock, while Waybill
 *   refuses a timestamp too far either way from the `now` it is given. The package's own check is
 *   switched off (tolerance 0, as its documentation describes) so there is one window, not two;
 * - one call per configured secret, because the package takes one.
 * What the package decides differently, and Stripe never sends: it signs `t` as a parsed number
 * (leading zeros do not count) and the body as UTF-8 text, and it refuses an empty body outright
 * (SIGNATURE_MISMATCH, where a correctly signed empty body used to read as PAYLOAD_MALFORMED).
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
  const signatures: string[] = [];
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
    // Hex case must not matter, and garbage never reaches the comparison.
    if (key === 'v1' && HEX_SHA256.test(value)) {
      signatures.push(value.toLowerCase());
    }
  }
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MALFORMED',
      message: `the ${check.headerName} header must look like t=<unix seconds>,v1=<hex sha256>`,
    };
  }
  // Canonical for the package: the timestamp as read, every v1 in lower-case hex.
  const canonicalHeader = [`t=${timestamp}`, ...signatures.map((mac) => `v1=${mac}`)].join(',');
  // Every secret is tried, so the time taken does not tell which secret matched.
  let matched = false;
  for (const secret of check.secrets) {
    matched = stripeVerifies(check.rawBody, canonicalHeader, secret) || matched;
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

/**
 * Whether the package finds a v1 in `header` that is the body's signature with `secret`. Its
 * verification errors are all "does not match" by the time the header has been read above; any
 * other error is a bug and is thrown.
 */
function stripeVerifies(rawBody: Buffer, header: string, secret: string): boolean {
  const signature = Stripe.webhooks.signature;
  if (!signature) {
    throw new Error('the stripe package has no webhook signature helper');
  }
  try {
    // Tolerance 0: the package skips its age check; ours is applied after a match (see above).
    return signature.verifyHeader(rawBody, header, secret, 0);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      return false;
    }
    throw error;
  }
}

/** What a sender puts in the header; used by the sandbox docs and by tests playing a provider. */
export function signWebhook(rawBody: Buffer | string, secret: string, timestamp: number): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload: typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'),
    secret,
    timestamp,
  });
}

export interface SignedWebhookOptions {
  readonly headerName: string;
  readonly secrets: readonly string[];
  readonly toleranceSeconds: number;
}

/**
 * A provider's `verifyWebhook` for this scheme: verify the signature on the raw body first, only
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
