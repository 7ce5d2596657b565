import { Webhook } from 'standardwebhooks';
import { safeEqual, verifyTimestampTolerance } from './hmac';

/**
 * The Standard Webhooks signature scheme (https://www.standardwebhooks.com), used by direct
 * carriers posting to logistics and by Waybill itself when it sends purchase orders to suppliers:
 *
 *   webhook-id:        the message id; the receiver dedups on it
 *   webhook-timestamp: unix seconds
 *   webhook-signature: space-separated `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`
 *
 * The secret is `whsec_<base64 key>`; the HMAC key is the decoded bytes, not the string. Several
 * signatures in the header (sender rotating) and several secrets here (receiver rotating) are
 * allowed; any pair that matches is enough.
 *
 * The signature itself is the `standardwebhooks` package's (`Webhook.sign`), for signing and for
 * the expected value when verifying. Its `Webhook.verify` is not used, because it cannot keep
 * what Waybill's receivers promise: it reads the wall clock (the ingress verifies against a given
 * `now`, and replays and tests depend on that), its tolerance is fixed at five minutes (ours is
 * configured), it checks the timestamp before the signature (we answer a stale timestamp only to
 * a sender who holds a secret, so the window cannot be probed), it takes one secret (we accept any
 * of several during a rotation) and its failures are English messages, not the rejection
 * vocabulary below. So the header reading, the comparison and the tolerance stay here; what is
 * hand-written is the header parsing, not the cryptography.
 */
export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Why a signed webhook was refused; the same vocabulary for every scheme Waybill verifies. */
export type SignatureRejection =
  | 'NOT_CONFIGURED'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_MALFORMED'
  | 'SIGNATURE_MISMATCH'
  | 'TIMESTAMP_OUT_OF_TOLERANCE';

export type StandardWebhookVerdict =
  | { readonly ok: true; readonly id: string; readonly timestamp: number }
  | { readonly ok: false; readonly rejection: SignatureRejection; readonly message: string };

export interface StandardWebhookCheck {
  readonly rawBody: Buffer;
  readonly headers: WebhookHeaders;
  /** `whsec_<base64>` secrets; more than one during rotation. */
  readonly secrets: readonly string[];
  /** Five minutes, as the specification recommends, unless configured otherwise. */
  readonly toleranceSeconds?: number;
  readonly now?: Date;
}

export const STANDARD_WEBHOOK_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MESSAGE_ID = /^[\x21-\x7e]{1,256}$/;

/** The first value of a header, whatever case Node gave its name (it lower-cases them). */
export function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lower) {
      continue;
    }
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * Splits a comma-separated secret list from configuration (`A,B` while rotating). Blank entries are
 * dropped, so a trailing comma does not add an empty secret that anyone could sign with.
 */
export function parseSecretList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret.length > 0);
}

/** Whether a configured secret has the `whsec_<base64>` form; config validation uses this. */
export function isStandardWebhookSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) {
    return false;
  }
  const key = secret.slice(SECRET_PREFIX.length);
  return key.length >= 4 && BASE64.test(key) && Buffer.from(key, 'base64').length >= 1;
}

/**
 * The package's signer for one secret. The key is decoded here and handed over raw, so the secrets
 * Waybill accepts stay exactly those isStandardWebhookSecret (and config validation) accept: the
 * package's own decoder is stricter about base64 padding than Node's, and a configured secret that
 * verified yesterday must not stop verifying after an upgrade.
 */
function signerFor(secret: string): Webhook {
  if (!isStandardWebhookSecret(secret)) {
    throw new Error('a Standard Webhooks secret must look like whsec_<base64>');
  }
  return new Webhook(Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64'), { format: 'raw' });
}

/**
 * `v1,<base64>` for one message, as the package computes it. It signs the timestamp as a number
 * (`1614265330`, never `01614265330`) and the body as UTF-8 text; every sender we know sends unix
 * seconds without leading zeros and JSON, so neither differs from signing the literal bytes.
 */
function signatureOf(signer: Webhook, id: string, timestamp: string, rawBody: Buffer): string {
  return signer.sign(id, new Date(Number(timestamp) * 1000), rawBody);
}

/** The HMAC bytes of a `v1,<base64>` value: compared decoded, so base64 padding cannot matter. */
function v1Bytes(signature: string): Buffer {
  return Buffer.from(signature.slice('v1,'.length), 'base64');
}

export function verifyStandardWebhook(check: StandardWebhookCheck): StandardWebhookVerdict {
  const tolerance = check.toleranceSeconds ?? STANDARD_WEBHOOK_TOLERANCE_SECONDS;
  if (check.secrets.length === 0) {
    return { ok: false, rejection: 'NOT_CONFIGURED', message: 'no webhook secret is configured' };
  }
  const id = headerValue(check.headers, 'webhook-id')?.trim();
  const timestamp = headerValue(check.headers, 'webhook-timestamp')?.trim();
  const signatureHeader = headerValue(check.headers, 'webhook-signature')?.trim();
  const missing = [
    id ? undefined : 'webhook-id',
    timestamp ? undefined : 'webhook-timestamp',
    signatureHeader ? undefined : 'webhook-signature',
  ].filter((name): name is string => name !== undefined);
  if (missing.length > 0 || !id || !timestamp || !signatureHeader) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MISSING',
      message: `missing header(s): ${missing.join(', ')}`,
    };
  }
  if (!MESSAGE_ID.test(id) || !/^\d{1,12}$/.test(timestamp)) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MALFORMED',
      message: 'webhook-id must be 1–256 printable characters and webhook-timestamp unix seconds',
    };
  }
  const signatures: Buffer[] = [];
  for (const entry of signatureHeader.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma <= 0) {
      continue;
    }
    const version = entry.slice(0, comma);
    const value = entry.slice(comma + 1);
    // Other versions (v1a is asymmetric) are skipped, as the specification asks.
    if (version === 'v1' && BASE64.test(value)) {
      signatures.push(Buffer.from(value, 'base64'));
    }
  }
  if (signatures.length === 0) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MALFORMED',
      message: 'webhook-signature must hold one or more space-separated v1,<base64> values',
    };
  }
  // Every pair is compared, so the time taken does not tell which secret or signature matched.
  let matched = false;
  for (const secret of check.secrets) {
    const expected = v1Bytes(signatureOf(signerFor(secret), id, timestamp, check.rawBody));
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
  // After the signature, so the tolerance cannot be probed without a valid secret.
  if (!verifyTimestampTolerance(timestamp, tolerance, check.now ?? new Date())) {
    return {
      ok: false,
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
      message: `webhook-timestamp is more than ${tolerance} s away from now`,
    };
  }
  return { ok: true, id, timestamp: Number(timestamp) };
}

export interface StandardWebhookHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/**
 * The headers a sender attaches. With several secrets (rotation) it signs with each, so a receiver
 * that knows only the old or only the new one still verifies.
 */
export function signStandardWebhook(message: {
  readonly id: string;
  readonly timestamp: number;
  readonly rawBody: Buffer | string;
  readonly secrets: readonly string[];
}): StandardWebhookHeaders {
  if (message.secrets.length === 0) {
    throw new Error('at least one secret is needed to sign');
  }
  const body = typeof message.rawBody === 'string' ? Buffer.from(message.rawBody, 'utf8') : message.rawBody;
  const timestamp = String(Math.floor(message.timestamp));
  const signatures = message.secrets.map((secret) =>
    signatureOf(signerFor(secret), message.id, timestamp, body),
  );
  return {
    'webhook-id': message.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signatures.join(' '),
  };
}
