// The counters behind the token routes' limits (token-limits.ts): fixed windows that start at the
// first count. In Redis every pod shares them, and one script per request decides on the sender's
// address and the token together (one round trip); in memory they serve single-process tests.
import type { Redis } from 'ioredis';
import { LuaScript } from '@radius-mfa/contracts';
import type { HttpRateLimits } from '../dependencies.js';

export type TokenAdmission = { readonly refused: false } | { readonly refused: true; readonly retryAfterMs: number };

export interface TokenLimitCounters {
  /**
   * Refused while the address has spent its misses (the token is then not counted), unless
   * `liveKey` (the Redis key that exists while the link is live) exists: a real link is never
   * refused for what others behind the same address (an office NAT, a carrier's) sent. Else counts
   * one use of the token, refused past its own budget.
   */
  admit(address: string, tokenDigest: string, liveKey?: string): Promise<TokenAdmission>;
  /** The request named an unknown, malformed or wrong token: one miss for its address. */
  chargeMiss(address: string): Promise<void>;
}

/**
 * KEYS[1]  misses of the client address  KEYS[2]  uses of the token
 * KEYS[3]  (optional) the key that exists while the token's link is live
 * ARGV[1]  misses allowed  ARGV[2]  uses allowed  ARGV[3]  the token's window (ms)
 * Returns  {refused (0 | 1), retryAfterMs}: the misses are only read; a use is counted unless the
 * address is refused. An address past its misses is refused unless KEYS[3] exists.
 */
const ADMIT = new LuaScript(`
local misses = tonumber(redis.call('GET', KEYS[1]) or '0')
if misses >= tonumber(ARGV[1]) and (KEYS[3] == nil or redis.call('EXISTS', KEYS[3]) == 0) then
  return {1, math.max(redis.call('PTTL', KEYS[1]), 0)}
end
local uses = redis.call('INCR', KEYS[2])
if uses == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
if uses > tonumber(ARGV[2]) then return {1, math.max(redis.call('PTTL', KEYS[2]), 0)} end
return {0, 0}
`);

/** KEYS[1] misses of the client address; ARGV[1] their window (ms). Returns nothing. */
const CHARGE_MISS = new LuaScript(`
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
`);

/** `namespace` comes from redisKeys, so both keys of a script share the product's hash slot. */
export function redisTokenCounters(redis: Redis, namespace: string, limits: HttpRateLimits): TokenLimitCounters {
  const { perToken, unknownTokensPerAddress: misses } = limits;
  const missKey = (address: string): string => `${namespace}miss:${address}`;
  return {
    async admit(address, tokenDigest, liveKey) {
      const keys = [missKey(address), `${namespace}token:${tokenDigest}`, ...(liveKey === undefined ? [] : [liveKey])];
      const [refused, retryAfterMs] = (await ADMIT.run(redis, keys, [misses.max, perToken.max, perToken.timeWindowMs])) as [number, number];
      return refused === 1 ? { refused: true, retryAfterMs } : { refused: false };
    },
    async chargeMiss(address) {
      await CHARGE_MISS.run(redis, [missKey(address)], [misses.timeWindowMs]);
    },
  };
}

/** Past this many live windows, expired ones are swept and then the oldest dropped (a flood of junk tokens). */
const MEMORY_WINDOWS_MAX = 10_000;

/**
 * The same counting in this process only (`rateLimitInMemory`). `isLive` answers whether a link's
 * key exists (the links are in Redis either way); without it an address past its misses is refused
 * on every link.
 */
export function memoryTokenCounters(limits: HttpRateLimits, now: () => number = Date.now, isLive?: (key: string) => Promise<boolean>): TokenLimitCounters {
  const { perToken, unknownTokensPerAddress: misses } = limits;
  const windows = new Map<string, { count: number; endsAt: number }>();
  const live = (key: string): { count: number; endsAt: number } | undefined => {
    const window = windows.get(key);
    return window && window.endsAt > now() ? window : undefined;
  };
  const count = (key: string, windowMs: number): { count: number; endsAt: number } => {
    const window = live(key) ?? { count: 0, endsAt: now() + windowMs };
    window.count += 1;
    windows.delete(key);
    windows.set(key, window);
    if (windows.size > MEMORY_WINDOWS_MAX) {
      for (const [name, w] of windows) if (w.endsAt <= now()) windows.delete(name);
      for (const name of windows.keys()) {
        if (windows.size <= MEMORY_WINDOWS_MAX) break;
        windows.delete(name);
      }
    }
    return window;
  };
  return {
    async admit(address, tokenDigest, liveKey) {
      const spent = live(`miss:${address}`);
      if ((spent?.count ?? 0) >= misses.max && !(liveKey !== undefined && isLive !== undefined && (await isLive(liveKey)))) {
        return { refused: true, retryAfterMs: spent ? spent.endsAt - now() : 0 };
      }
      const uses = count(`token:${tokenDigest}`, perToken.timeWindowMs);
      return uses.count > perToken.max ? { refused: true, retryAfterMs: uses.endsAt - now() } : { refused: false };
    },
    async chargeMiss(address) {
      count(`miss:${address}`, misses.timeWindowMs);
    },
  };
}
