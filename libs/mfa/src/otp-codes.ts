import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';
import { LuaScript } from '@radius-mfa/contracts';
import { LOCKOUT_LUA } from './lockout-lua.js';

/**
 * One-time SMS/voice codes: stored as HMAC-SHA256 under a per-code random salt (never the code),
 * single use, expiring, attempt-limited per code, and counted per user with the TOTP lockout
 * (lockout-lua.ts): a guesser who asks for a new code after each three wrong ones is still locked
 * out. A short code's hash can be brute-forced offline by whoever reads Redis; the TTL and single
 * use keep that window small.
 *
 * KEYS[1]  code hash  KEYS[2]  user hash
 * ARGV[1]  HMAC of the candidate  ARGV[2]  maxAttempts (per code)  ARGV[3]  user
 * ARGV[4]  the transaction verifying, or '': with one, an accepted code is kept (marked used by
 *          that transaction) for ARGV[5] ms, so a retried job of the same transaction is accepted
 *          again; any other sees it used
 * ARGV[6]  now, Unix ms  ARGV[7]  lockout maxAttempts (per user)  ARGV[8]  lockout duration, ms
 * Returns  {outcome, attemptsLeft, lockedUntil}; outcome: accepted | invalid | exhausted | expired | locked
 *          (expired also covers used and unknown: the key is deleted on success, on exhaustion and
 *          when a lockout starts; locked: the user is locked out, by this failure or before it)
 */
const VERIFY_CODE = new LuaScript(`${LOCKOUT_LUA}
local h = redis.call('HMGET', KEYS[1], 'hash', 'user', 'acceptedBy')
if not h[1] or h[2] ~= ARGV[3] then return {'expired', 0, 0} end
if h[3] then
  if h[3] == ARGV[4] and h[1] == ARGV[1] then return {'accepted', 0, 0} end
  return {'expired', 0, 0}
end
local now = tonumber(ARGV[6])
local active = lockout_active(KEYS[2], now)
if active == 'fraud' then return {'locked', 0, 0} end
if active then return {'locked', 0, active} end
if h[1] == ARGV[1] then
  if ARGV[4] == '' then
    redis.call('DEL', KEYS[1])
  else
    redis.call('HSET', KEYS[1], 'acceptedBy', ARGV[4])
    redis.call('PEXPIRE', KEYS[1], ARGV[5])
  end
  lockout_clear(KEYS[2])
  return {'accepted', 0, 0}
end
local lockedUntil = lockout_fail(KEYS[2], now, ARGV[7], ARGV[8])
if lockedUntil > 0 then
  redis.call('DEL', KEYS[1])
  return {'locked', 0, lockedUntil}
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
local left = tonumber(ARGV[2]) - attempts
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return {'exhausted', 0, 0}
end
return {'invalid', left, 0}
`);

/** How long a code accepted for a transaction stays readable for a retried job of it. */
const USED_CODE_KEPT_MS = 120_000;

export type OtpCodeOutcome = 'accepted' | 'invalid' | 'exhausted' | 'expired' | 'locked';

export interface OtpCodeOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  /** `mfa.sms` */
  readonly codeLength: number;
  readonly ttlSeconds: number;
  readonly maxAttempts: number;
  /** The per-user lockout shared with TOTP (`mfa.totp.maxAttempts`, `lockoutSeconds`). */
  readonly lockout: { readonly maxAttempts: number; readonly lockoutSeconds: number };
}

export interface OtpCodeVerdict {
  readonly outcome: OtpCodeOutcome;
  /** invalid only: wrong answers this code still takes. */
  readonly attemptsLeft?: number;
  /** locked only, when a lockout runs (not after a fraud report): Unix ms. */
  readonly lockedUntil?: number;
}

export interface IssuedCode {
  /** Where the code is kept (e.g. in the Access-Challenge State continuation); not secret. */
  readonly codeId: string;
  /** Hand to the sender, then forget. */
  readonly code: string;
  /** Unix ms. */
  readonly expiresAt: number;
}

export interface OtpCodeStore {
  issueCode(user: string): Promise<IssuedCode>;
  /** `txn`: the RADIUS transaction verifying; its retried job is accepted again (idempotency). */
  verifyCode(codeId: string, user: string, code: string, txn?: string): Promise<OtpCodeVerdict>;
}

function codeHash(salt: string, user: string, code: string): string {
  return createHmac('sha256', Buffer.from(salt, 'base64')).update(`${user}\n${code}`).digest('hex');
}

export function createOtpCodeStore(options: OtpCodeOptions): OtpCodeStore {
  const { redis, keys } = options;
  return {
    async issueCode(user) {
      const codeId = randomBytes(16).toString('hex');
      // randomInt is uniform over the range: every code is equally likely.
      const code = String(randomInt(0, 10 ** options.codeLength)).padStart(options.codeLength, '0');
      const salt = randomBytes(16).toString('base64');
      const key = keys.otpCode(codeId);
      await redis
        .multi()
        .hset(key, { user, salt, hash: codeHash(salt, user, code), attempts: 0 })
        .pexpire(key, options.ttlSeconds * 1000)
        .exec();
      return { codeId, code, expiresAt: Date.now() + options.ttlSeconds * 1000 };
    },

    async verifyCode(codeId, user, code, txn) {
      const key = keys.otpCode(codeId);
      const salt = await redis.hget(key, 'salt');
      if (salt === null) return { outcome: 'expired' };
      const [outcome, attemptsLeft, lockedUntil] = (await VERIFY_CODE.run(
        redis,
        [key, keys.user(user)],
        [codeHash(salt, user, code.trim()), options.maxAttempts, user, txn ?? '', USED_CODE_KEPT_MS, Date.now(), options.lockout.maxAttempts, options.lockout.lockoutSeconds * 1000],
      )) as [OtpCodeOutcome, number, number];
      if (outcome === 'invalid') return { outcome, attemptsLeft };
      if (outcome === 'locked' && lockedUntil > 0) return { outcome, lockedUntil };
      return { outcome };
    },
  };
}
