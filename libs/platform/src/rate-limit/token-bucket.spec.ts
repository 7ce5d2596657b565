import { TokenBucketLimiter } from './token-bucket';

function limiter(
  perMinute: number,
  maxBuckets?: number,
): { limiter: TokenBucketLimiter; advance: (ms: number) => void } {
  let now = 0;
  return {
    limiter: new TokenBucketLimiter({ perMinute, ...(maxBuckets && { maxBuckets }), now: () => now }),
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('TokenBucketLimiter', () => {
  it('allows a burst of perMinute, then denies with the time to the next token', () => {
    const { limiter: l } = limiter(3);
    expect([1, 2, 3].map(() => l.take('a').allowed)).toEqual([true, true, true]);
    const denied = l.take('a');
    expect(denied).toMatchObject({ allowed: false, limit: 3, remaining: 0, retryAfterSeconds: 20 });
  });

  it('refills continuously', () => {
    const { limiter: l, advance } = limiter(60);
    for (let i = 0; i < 60; i += 1) {
      l.take('a');
    }
    expect(l.take('a').allowed).toBe(false);
    advance(1000);
    expect(l.take('a')).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('keeps callers independent', () => {
    const { limiter: l } = limiter(1);
    expect(l.take('a').allowed).toBe(true);
    expect(l.take('a').allowed).toBe(false);
    expect(l.take('b').allowed).toBe(true);
  });

  it('forgets buckets idle long enough to be full again', () => {
    const { limiter: l, advance } = limiter(10);
    l.take('a');
    l.take('b');
    advance(60_000);
    l.take('c');
    expect(l.size).toBe(1);
  });

  it('stays bounded under many distinct callers, dropping the least recently seen', () => {
    const { limiter: l } = limiter(1, 100);
    for (let i = 0; i < 10_000; i += 1) {
      l.take(`ip:${i}`);
    }
    expect(l.size).toBe(100);
    // ip:9999 is remembered (bucket empty), ip:0 was evicted (fresh bucket).
    expect(l.take('ip:9999').allowed).toBe(false);
    expect(l.take('ip:0').allowed).toBe(true);
  });
});
