import { createHash } from 'node:crypto';

/** Stripe's limit; printable ASCII only, so a key can be logged and compared byte for byte. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
export const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

export function isValidIdempotencyKey(key: string): boolean {
  return key.length >= 1 && key.length <= MAX_IDEMPOTENCY_KEY_LENGTH && PRINTABLE_ASCII.test(key);
}

/**
 * JSON with object keys sorted at every depth, so two bodies that differ only in key order (or
 * whitespace) are the same request. Array order is kept: lines in another order are another order.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What a key remembers of its request: a digest, never the body (it holds a payment token). */
export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

/** A key row someone else holds, as the claimant finds it. */
export interface HeldKey {
  readonly requestHash: string;
  readonly state: 'in_flight' | 'completed';
}

export type HeldKeyVerdict = 'replay' | 'key-reused' | 'in-progress';

/** Stripe's semantics: the same key is only ever answered for the body it was first used with. */
export function judgeHeldKey(held: HeldKey, requestHash: string): HeldKeyVerdict {
  if (held.requestHash !== requestHash) return 'key-reused';
  return held.state === 'completed' ? 'replay' : 'in-progress';
}
