export interface TokenBucketOptions {
  /** Burst size and refill per minute: a full bucket holds one minute's worth of requests. */
  readonly perMinute: number;
  /** Bound on remembered callers; the least recently seen is dropped beyond it. */
  readonly maxBuckets?: number;
  /** Milliseconds from any fixed origin; monotonic by default so wall-clock jumps do not refill. */
  readonly now?: () => number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
  /** Seconds until the next request can pass; 0 when allowed. */
  readonly retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const MINUTE_MS = 60_000;

/**
 * In-memory token buckets keyed by caller, O(1) per request. The Map's insertion order is kept as
 * least-recently-used order (delete + set on every hit), so eviction only ever looks at the front:
 * buckets idle long enough to have refilled completely are dropped, which loses nothing because a
 * new bucket starts full; beyond `maxBuckets` the least recently seen goes too.
 * Per process: with N replicas a caller gets up to N times the limit.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private readonly maxBuckets: number;
  private readonly now: () => number;

  constructor(options: TokenBucketOptions) {
    if (!Number.isFinite(options.perMinute) || options.perMinute < 1) {
      throw new RangeError('perMinute must be ≥ 1');
    }
    this.capacity = options.perMinute;
    this.refillPerMs = options.perMinute / MINUTE_MS;
    this.maxBuckets = Math.max(1, options.maxBuckets ?? 100_000);
    this.now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string): RateLimitDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, updatedAt: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
    bucket.updatedAt = now;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    this.evict(now);

    const allowed = bucket.tokens >= 1;
    if (allowed) {
      bucket.tokens -= 1;
    }
    return {
      allowed,
      limit: this.capacity,
      remaining: Math.floor(bucket.tokens),
      resetSeconds: Math.ceil((this.capacity - bucket.tokens) / this.refillPerMs / 1000),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000)),
    };
  }

  /** Amortised O(1): each bucket is dropped at most once per time it was (re)inserted. */
  private evict(now: number): void {
    const idleMs = this.capacity / this.refillPerMs;
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size <= this.maxBuckets && now - bucket.updatedAt < idleMs) {
        return;
      }
      this.buckets.delete(key);
    }
  }
}
