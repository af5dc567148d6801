import { describe, expect, it } from 'vitest';
import { createKeyedRateLimiter, createTokenBucket } from '../src/rate-limit.js';

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
