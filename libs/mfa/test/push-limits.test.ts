import { beforeAll, describe, expect, it } from 'vitest';
import { createPushLimiter, type PushLimiter } from '@radius-mfa/mfa';
import { useRedisSuite } from './redis-suite.js';

describe('push limits', () => {
  const suite = useRedisSuite();
  let limiter: PushLimiter;
  beforeAll(() => {
    limiter = createPushLimiter({ redis: suite.a, keys: suite.keys, limits: { perMinute: 3, perHour: 5 }, suppressAfterDenials: 3 });
  });

  it('allows perMinute pushes, then rate-limits; concurrent checks never exceed the limit', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => limiter.checkPushAllowed('alice')));
    expect(results.filter((r) => r.decision === 'allowed')).toHaveLength(3);
    const limited = results.find((r) => r.decision === 'rate-limited');
    expect(limited?.retryAfterMs).toBeGreaterThan(0);
    expect(limited?.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('per hour: once the minute window is over, the hour still counts', async () => {
    for (let i = 0; i < 3; i++) expect((await limiter.checkPushAllowed('bob')).decision).toBe('allowed');
    await suite.a.del(suite.keys.rate('push-min', 'bob')); // the minute window has run out
    for (let i = 0; i < 2; i++) expect((await limiter.checkPushAllowed('bob')).decision).toBe('allowed');
    await suite.a.del(suite.keys.rate('push-min', 'bob'));
    const limited = await limiter.checkPushAllowed('bob');
    expect(limited.decision).toBe('rate-limited');
    expect(limited.retryAfterMs).toBeGreaterThan(60_000);
    expect(await suite.a.get(suite.keys.rate('push-hour', 'bob'))).toBe('5');
  });

  it('suppresses after repeated denials until they are cleared', async () => {
    await suite.a.hset(suite.keys.user('carol'), 'consecutiveDenials', '2');
    expect((await limiter.checkPushAllowed('carol')).decision).toBe('allowed');
    await suite.a.hset(suite.keys.user('carol'), 'consecutiveDenials', '3');
    expect((await limiter.checkPushAllowed('carol')).decision).toBe('suppressed');
    await suite.a.hdel(suite.keys.user('carol'), 'consecutiveDenials');
    expect((await limiter.checkPushAllowed('carol')).decision).toBe('allowed');
  });

  it('refuses a fraud-locked user before anything else', async () => {
    await suite.a.hset(suite.keys.user('dave'), 'fraudLockedAt', String(Date.now()));
    expect(await limiter.checkPushAllowed('dave')).toEqual({ decision: 'fraud-locked' });
    expect(await suite.a.exists(suite.keys.rate('push-min', 'dave'))).toBe(0);
  });

  it('suppression can be turned off', async () => {
    const lenient = createPushLimiter({ redis: suite.a, keys: suite.keys, limits: { perMinute: 10, perHour: 10 }, suppressAfterDenials: 0 });
    await suite.a.hset(suite.keys.user('erin'), 'consecutiveDenials', '50');
    expect((await lenient.checkPushAllowed('erin')).decision).toBe('allowed');
  });
});
