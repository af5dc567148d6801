import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';
import { LuaScript } from '@radius-mfa/contracts';

/**
 * One-time SMS/voice codes: stored as HMAC-SHA256 under a per-code random salt (never the code),
 * single use, expiring, attempt-limited. A short code's hash can be brute-forced offline by whoever
 * reads Redis; the TTL and single use keep that window small.
 *
 * KEYS[1]  code hash  ARGV[1]  HMAC of the candidate  ARGV[2]  maxAttempts  ARGV[3]  user
 * ARGV[4]  the transaction verifying, or '': with one, an accepted code is kept (marked used by
 *          that transaction) for ARGV[5] ms, so a retried job of the same transaction is accepted
 *          again; any other sees it used
 * Returns  {outcome, attemptsLeft}; outcome: accepted | invalid | exhausted | expired
 *          (expired also covers used and unknown: the key is deleted on success and on exhaustion)
 */
const VERIFY_CODE = new LuaScript(`
local h = redis.call('HMGET', KEYS[1], 'hash', 'user', 'acceptedBy')
if not h[1] or h[2] ~= ARGV[3] then return {'expired', 0} end
if h[3] then
  if h[3] == ARGV[4] and h[1] == ARGV[1] then return {'accepted', 0} end
  return {'expired', 0}
end
if h[1] == ARGV[1] then
  if ARGV[4] == '' then
    redis.call('DEL', KEYS[1])
  else
    redis.call('HSET', KEYS[1], 'acceptedBy', ARGV[4])
    redis.call('PEXPIRE', KEYS[1], ARGV[5])
  end
  return {'accepted', 0}
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
local left = tonumber(ARGV[2]) - attempts
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return {'exhausted', 0}
end
return {'invalid', left}
`);

/** How long a code accepted for a transaction stays readable for a retried job of it. */
const USED_CODE_KEPT_MS = 120_000;

export type OtpCodeOutcome = 'accepted' | 'invalid' | 'exhausted' | 'expired';

export interface OtpCodeOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  /** `mfa.sms` */
  readonly codeLength: number;
  readonly ttlSeconds: number;
  readonly maxAttempts: number;
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
  verifyCode(codeId: string, user: string, code: string, txn?: string): Promise<{ outcome: OtpCodeOutcome; attemptsLeft?: number }>;
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
      const [outcome, attemptsLeft] = (await VERIFY_CODE.run(redis, [key], [codeHash(salt, user, code.trim()), options.maxAttempts, user, txn ?? '', USED_CODE_KEPT_MS])) as [OtpCodeOutcome, number];
      return outcome === 'invalid' ? { outcome, attemptsLeft } : { outcome };
    },
  };
}
