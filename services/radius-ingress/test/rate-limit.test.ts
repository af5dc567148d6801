import { describe, expect, it } from 'vitest';
import { UNVERIFIED_RATE_MULTIPLE, createKeyedRateLimiter, createTokenBucket, unverifiedLimit } from '../src/rate-limit.js';

describe('token bucket', () => {
  it('lets a burst through, then the sustained rate', () => {
    const bucket = createTokenBucket({ perSecond: 10, burst: 3 });
    const t0 = performance.now();
    expect([bucket.take(t0), bucket.take(t0), bucket.take(t0), bucket.take(t0)]).toEqual([true, true, true, false]);
    // 150 ms at 10/s refills one token (and a half).
    expect(bucket.take(t0 + 150)).toBe(true);
    expect(bucket.take(t0 + 150)).toBe(false);
    // Never more than the burst, however long the pause.
    const later = t0 + 60_000;
    expect([bucket.take(later), bucket.take(later), bucket.take(later), bucket.take(later)]).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per key', () => {
    const limiter = createKeyedRateLimiter(() => ({ perSecond: 1, burst: 1 }));
    const now = performance.now();
    expect(limiter.take('a', now)).toBe(true);
    expect(limiter.take('a', now)).toBe(false);
    expect(limiter.take('b', now)).toBe(true);
  });
});

describe('unverified bound', () => {
  it('is UNVERIFIED_RATE_MULTIPLE times the client limit, rate and burst', () => {
    expect(UNVERIFIED_RATE_MULTIPLE).toBe(10);
    expect(unverifiedLimit({ perSecond: 5, burst: 7 })).toEqual({ perSecond: 50, burst: 70 });
  });
});
