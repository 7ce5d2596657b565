import { BadRequestException } from '@nestjs/common';
import { DomainError } from '@waybill/platform';
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
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  }
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
  if (held.requestHash !== requestHash) {
    return 'key-reused';
  }
  return held.state === 'completed' ? 'replay' : 'in-progress';
}

/** 400 for a malformed `Idempotency-Key` header; the key itself when it is usable or absent. */
export function checkIdempotencyKeyHeader(value: string | undefined): string | undefined {
  if (value === undefined || isValidIdempotencyKey(value)) {
    return value;
  }
  throw new BadRequestException({
    code: 'IDEMPOTENCY.INVALID_KEY',
    message: `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`,
    details: {
      fields: [{ field: 'Idempotency-Key', messages: ['must be 1-255 printable ASCII characters'] }],
    },
  });
}

export class IdempotencyKeyReused extends DomainError {
  constructor() {
    super(
      'IDEMPOTENCY.KEY_REUSED',
      'this Idempotency-Key was already used with a different request body; use a new key for a new request',
      { kind: 'rule-violation' },
    );
  }
}

export class IdempotencyRequestInProgress extends DomainError {
  constructor() {
    super(
      'IDEMPOTENCY.REQUEST_IN_PROGRESS',
      'a request with this Idempotency-Key is still being processed; retry later',
      { kind: 'conflict' },
    );
  }
}
