import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Standard Webhooks (https://www.standardwebhooks.com) as the outside parties speak it: a supplier
 * verifying the purchase orders Waybill sends, and suppliers and direct carriers signing what they
 * post to Waybill. Hand-written on node:crypto on purpose: the fakes play the other side, so they
 * must not share Waybill's implementation (libs/platform, on the `standardwebhooks` package) — a
 * bug both sides shared would pass every test. standard-webhook-signing.spec.ts proves the two
 * agree, on the specification's test vector and on each other's output.
 *
 *   webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">
 *   keyed with the base64-decoded part of the `whsec_<base64>` secret.
 */
// A type rather than an interface, so it passes where any header record is taken.
export type StandardWebhookHeaderSet = {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
};

const TOLERANCE_SECONDS = 5 * 60;

function keyOf(secret: string): Buffer {
  if (!secret.startsWith('whsec_')) {
    throw new Error('a Standard Webhooks secret starts with whsec_');
  }
  return Buffer.from(secret.slice('whsec_'.length), 'base64');
}

function mac(secret: string, id: string, timestamp: string, rawBody: Buffer | string): Buffer {
  return createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.`).update(rawBody).digest();
}

/** The three headers a sender attaches, signed with one secret. */
export function standardWebhookHeaders(message: {
  readonly id: string;
  /** Unix seconds; a fraction is dropped. */
  readonly timestamp: number;
  readonly rawBody: Buffer | string;
  readonly secret: string;
}): StandardWebhookHeaderSet {
  const timestamp = String(Math.floor(message.timestamp));
  return {
    'webhook-id': message.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${mac(message.secret, message.id, timestamp, message.rawBody).toString('base64')}`,
  };
}

/**
 * Whether a received message carries a valid v1 signature by `secret` and a timestamp within five
 * minutes of `now`, as the specification asks a receiver to check.
 */
export function standardWebhookVerifies(
  rawBody: Buffer,
  /** As Node hands them over (lower-case names), or as a sender built them. */
  headers: IncomingHttpHeaders | StandardWebhookHeaderSet,
  secret: string,
  now = new Date(),
): boolean {
  const byName: Readonly<Record<string, string | string[] | undefined>> = { ...headers };
  const first = (name: string): string | undefined => {
    const value = byName[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = first('webhook-id');
  const timestamp = first('webhook-timestamp');
  const signatures = first('webhook-signature');
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) {
    return false;
  }
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) {
    return false;
  }
  const expected = mac(secret, id, timestamp, rawBody);
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || value === undefined) {
      return false;
    }
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
