import type { Redis } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';
import { LuaScript } from '@radius-mfa/contracts';
import { UserField } from './user-fields.js';

/**
 * Whether a push may be sent now: against push bombing (MFA fatigue), pushes are counted per
 * user per minute and per hour, suppressed after repeated denials, and refused after a fraud report.
 *
 * KEYS[1]  user hash  KEYS[2]  per-minute counter  KEYS[3]  per-hour counter
 * ARGV[1]  perMinute  ARGV[2]  perHour  ARGV[3]  suppressAfterDenials (0 = never)
 * Returns  {decision, retryAfterMs}; decision: allowed | rate-limited | suppressed | fraud-locked.
 *          Only an allowed push is counted.
 */
const CHECK_PUSH = new LuaScript(`
local h = redis.call('HMGET', KEYS[1], '${UserField.fraudLockedAt}', '${UserField.consecutiveDenials}')
if h[1] then return {'fraud-locked', 0} end
local suppressAfter = tonumber(ARGV[3])
if suppressAfter > 0 and tonumber(h[2] or '0') >= suppressAfter then return {'suppressed', 0} end
local limits = {{KEYS[2], tonumber(ARGV[1]), 60000}, {KEYS[3], tonumber(ARGV[2]), 3600000}}
for _, limit in ipairs(limits) do
  if tonumber(redis.call('GET', limit[1]) or '0') >= limit[2] then
    return {'rate-limited', math.max(redis.call('PTTL', limit[1]), 0)}
  end
end
for _, limit in ipairs(limits) do
  -- Fixed windows starting at the first push: the expiry is set only when the counter is created.
  if redis.call('INCR', limit[1]) == 1 then redis.call('PEXPIRE', limit[1], limit[3]) end
end
return {'allowed', 0}
`);

export type PushDecision = 'allowed' | 'rate-limited' | 'suppressed' | 'fraud-locked';

export interface PushLimitResult {
  readonly decision: PushDecision;
  /** rate-limited only: when the window that is full runs out. */
  readonly retryAfterMs?: number;
}

export interface PushLimitOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  /** `mfa.push.limits` */
  readonly limits: { readonly perMinute: number; readonly perHour: number };
  /** `mfa.push.suppressAfterDenials`; 0 disables suppression. */
  readonly suppressAfterDenials: number;
}

export interface PushLimiter {
  /** Decides and, when allowed, counts the push, atomically (two workers cannot both take the last slot). */
  checkPushAllowed(user: string): Promise<PushLimitResult>;
}

export function createPushLimiter(options: PushLimitOptions): PushLimiter {
  const { redis, keys, limits } = options;
  return {
    async checkPushAllowed(user) {
      const [decision, retryAfterMs] = (await CHECK_PUSH.run(
        redis,
        [keys.user(user), keys.rate('push-min', user), keys.rate('push-hour', user)],
        [limits.perMinute, limits.perHour, options.suppressAfterDenials],
      )) as [PushDecision, number];
      return decision === 'rate-limited' ? { decision, retryAfterMs } : { decision };
    },
  };
}

/** The worker's limits for texts and calls when `mfa.push` is not configured (they share the push budget). */
export const DEFAULT_PUSH_LIMITS = { perMinute: 3, perHour: 10 } as const;

/** A running push-limit window of a user: pushes, calls and texts counted in it, and when it ends. */
export interface PushLimitWindow {
  readonly window: 'minute' | 'hour';
  readonly count: number;
  readonly remainingMs: number;
}

const WINDOWS = [
  { window: 'minute', kind: 'push-min' },
  { window: 'hour', kind: 'push-hour' },
] as const;

/** The user's running windows, read without counting anything (`users list`, `explain`). */
export async function readPushLimitWindows(redis: Redis, keys: RedisKeys, user: string): Promise<PushLimitWindow[]> {
  // One command per key: the two counters may live in different cluster slots.
  const read = await Promise.all(
    WINDOWS.map(async ({ window, kind }) => {
      const key = keys.rate(kind, user);
      const [count, remainingMs] = await Promise.all([redis.get(key), redis.pttl(key)]);
      return { window, count: Number(count ?? 0), remainingMs };
    }),
  );
  return read.filter((w) => w.count > 0 && w.remainingMs > 0);
}

/** The full window that ends last: no push is sent before it ends. Undefined when a push may go now. */
export function activePushLimit(windows: readonly PushLimitWindow[], limits: PushLimitOptions['limits']): PushLimitWindow | undefined {
  const full = windows.filter((w) => w.count >= (w.window === 'minute' ? limits.perMinute : limits.perHour));
  return full.reduce<PushLimitWindow | undefined>((last, w) => (last === undefined || w.remainingMs > last.remainingMs ? w : last), undefined);
}

/** Ends the user's windows (`users unlock`), so pushes, calls and texts may go at once; returns what was running. */
export async function clearPushLimits(redis: Redis, keys: RedisKeys, user: string): Promise<PushLimitWindow[]> {
  const running = await readPushLimitWindows(redis, keys, user);
  await Promise.all(WINDOWS.map(({ kind }) => redis.del(keys.rate(kind, user))));
  return running;
}
