import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function hmacSha256(secret: string | Buffer, payload: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/**
 * Constant-time equality for signatures and tokens. Both sides are hashed first, so inputs of
 * different lengths compare in the same time as equal-length ones (timingSafeEqual alone throws on
 * a length mismatch, and an early length check would leak the expected length). Strings are
 * compared as UTF-8 bytes: decode hex/base64 signatures first if their case or padding may vary.
 */
export function safeEqual(a: Buffer | string, b: Buffer | string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

function sha256(value: Buffer | string): Buffer {
  return createHash('sha256').update(value).digest();
}

const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * Whether a signed webhook's timestamp is within `toleranceSeconds` of `now`, either way (clock skew
 * goes both ways). Bounds replay of a captured request. Anything that is not a whole number of
 * seconds — NaN, a float, a millisecond timestamp off by 1000x, a header such as "12abc" — is false.
 */
export function verifyTimestampTolerance(
  unixSeconds: number | string,
  toleranceSeconds: number,
  now: Date = new Date(),
): boolean {
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw new RangeError('toleranceSeconds must be a finite number ≥ 0');
  }
  const seconds =
    typeof unixSeconds === 'string'
      ? UNIX_SECONDS.test(unixSeconds.trim())
        ? Number(unixSeconds)
        : NaN
      : unixSeconds;
  const nowMs = now.getTime();
  if (!Number.isSafeInteger(seconds) || seconds < 0 || Number.isNaN(nowMs)) {
    return false;
  }
  return Math.abs(nowMs - seconds * 1000) <= toleranceSeconds * 1000;
}
