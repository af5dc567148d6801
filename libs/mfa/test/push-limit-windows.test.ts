// Reading and clearing a user's push-limit windows (users list, explain, users unlock) against the limiter's own counters.
import { describe, expect, it } from 'vitest';
import { activePushLimit, clearPushLimits, createPushLimiter, readPushLimitWindows } from '@radius-mfa/mfa';
import { useRedisSuite } from './redis-suite.js';

const limits = { perMinute: 3, perHour: 5 };

describe('push-limit windows', () => {
  const suite = useRedisSuite();
  const limiter = () => createPushLimiter({ redis: suite.a, keys: suite.keys, limits, suppressAfterDenials: 3 });

  it('reads the running windows without counting; a full window is the active limit', async () => {
    expect(await readPushLimitWindows(suite.a, suite.keys, 'alice')).toEqual([]);
    for (let i = 0; i < 2; i++) await limiter().checkPushAllowed('alice');
    const windows = await readPushLimitWindows(suite.b, suite.keys, 'alice');
    expect(windows.map((w) => [w.window, w.count])).toEqual([
      ['minute', 2],
      ['hour', 2],
    ]);
    expect(activePushLimit(windows, limits)).toBeUndefined();
    await limiter().checkPushAllowed('alice');
    const full = activePushLimit(await readPushLimitWindows(suite.a, suite.keys, 'alice'), limits);
    expect(full).toMatchObject({ window: 'minute', count: 3 });
    expect(full!.remainingMs).toBeGreaterThan(0);
    expect(full!.remainingMs).toBeLessThanOrEqual(60_000);
    // Reading counted nothing: the counter is where the three pushes left it.
    expect(await suite.a.get(suite.keys.rate('push-min', 'alice'))).toBe('3');
  });

  it('when both windows are full, the active limit is the one that ends last (the hour)', async () => {
    for (let i = 0; i < 3; i++) await limiter().checkPushAllowed('bob');
    await suite.a.del(suite.keys.rate('push-min', 'bob'));
    for (let i = 0; i < 2; i++) await limiter().checkPushAllowed('bob');
    await suite.a.set(suite.keys.rate('push-min', 'bob'), '3', 'PX', 30_000);
    expect((await limiter().checkPushAllowed('bob')).decision).toBe('rate-limited');
    const active = activePushLimit(await readPushLimitWindows(suite.a, suite.keys, 'bob'), limits);
    expect(active).toMatchObject({ window: 'hour', count: 5 });
    expect(active!.remainingMs).toBeGreaterThan(60_000);
  });

  it('clear ends both windows and says what was running; the next push is allowed', async () => {
    for (let i = 0; i < 4; i++) await limiter().checkPushAllowed('carol');
    expect((await limiter().checkPushAllowed('carol')).decision).toBe('rate-limited');
    const cleared = await clearPushLimits(suite.a, suite.keys, 'carol');
    expect(cleared.map((w) => [w.window, w.count])).toEqual([
      ['minute', 3],
      ['hour', 3],
    ]);
    expect(await suite.a.exists(suite.keys.rate('push-min', 'carol'), suite.keys.rate('push-hour', 'carol'))).toBe(0);
    expect((await limiter().checkPushAllowed('carol')).decision).toBe('allowed');
    // Nothing running: nothing to report.
    expect(await clearPushLimits(suite.a, suite.keys, 'nobody')).toEqual([]);
  });
});
