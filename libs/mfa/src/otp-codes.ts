import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';
import { LuaScript } from '@radius-mfa/contracts';
import { LOCKOUT_LUA } from './lockout-lua.js';
import { claimRequestCount } from './request-count-claim.js';

/**
 * One-time SMS/voice codes: one per transaction (a retried job finds it: ISSUE_CODE), stored as
 * HMAC-SHA256 under a per-code random salt (never the code), single use, expiring, attempt-limited
 * per code, and counted per user with the TOTP lockout (lockout-lua.ts): a guesser who asks for a
 * new code after each three wrong ones is still locked out. A short code's hash can be brute-forced
 * offline by whoever reads Redis; the TTL and single use keep that window small.
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

/**
 * Issues a code unless the transaction has one (a retried or duplicate job), atomically: at most
 * one code, and so one text or call, per transaction.
 *
 * KEYS[1]  txn -> code id   KEYS[2]  code hash
 * ARGV[1]  code id  ARGV[2]  lifetime, ms  ARGV[3..]  code fields, name/value pairs
 * Returns  {1, id} when issued, {0, existing id} when the transaction already had one
 */
const ISSUE_CODE = new LuaScript(`
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[2], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {1, ARGV[1]}
`);

/**
 * Withdraws a code whose send failed: nobody received it, so it goes, and the transaction is free
 * for its retried job to issue and send another.
 *
 * KEYS[1]  txn -> code id   KEYS[2]  code hash   ARGV[1]  code id
 * Returns  1 when the transaction pointed at this code (now freed), else 0
 */
const WITHDRAW_CODE = new LuaScript(`
redis.call('DEL', KEYS[2])
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
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

export type IssueCodeResult =
  | ({ readonly issued: true } & IssuedCode)
  /** The transaction has its code already (a retried or duplicate job): send nothing again. */
  | { readonly issued: false; readonly codeId: string };

export interface OtpCodeStore {
  /**
   * A new code for `user`, unless transaction `txn` (the job's txn id) has one: one code per
   * transaction, whatever retries, duplicate jobs or replays of its packet come later.
   */
  issueCode(user: string, txn: string): Promise<IssueCodeResult>;
  /** The code an earlier attempt of transaction `txn` issued, while it lives. */
  codeIdForTxn(txn: string): Promise<string | undefined>;
  /** After a failed send: the code is deleted and `txn` freed, so a retried job sends a new one. */
  withdrawCode(codeId: string, txn: string): Promise<void>;
  /** True for the first caller only, while the code lives: who counts its text or call (request-count-claim.ts). */
  claimRequestCount(codeId: string): Promise<boolean>;
  /** `txn`: the RADIUS transaction verifying; its retried job is accepted again (idempotency). */
  verifyCode(codeId: string, user: string, code: string, txn?: string): Promise<OtpCodeVerdict>;
}

function codeHash(salt: string, user: string, code: string): string {
  return createHmac('sha256', Buffer.from(salt, 'base64')).update(`${user}\n${code}`).digest('hex');
}

export function createOtpCodeStore(options: OtpCodeOptions): OtpCodeStore {
  const { redis, keys } = options;
  return {
    async issueCode(user, txn) {
      const codeId = randomBytes(16).toString('hex');
      // randomInt is uniform over the range: every code is equally likely.
      const code = String(randomInt(0, 10 ** options.codeLength)).padStart(options.codeLength, '0');
      const salt = randomBytes(16).toString('base64');
      const lifetimeMs = options.ttlSeconds * 1000;
      const fields = { user, salt, hash: codeHash(salt, user, code), attempts: '0' };
      const [issued, id] = (await ISSUE_CODE.run(redis, [keys.otpCodeByTxn(txn), keys.otpCode(codeId)], [codeId, lifetimeMs, ...Object.entries(fields).flat()])) as [number, string];
      return issued === 1 ? { issued: true, codeId, code, expiresAt: Date.now() + lifetimeMs } : { issued: false, codeId: id };
    },

    async codeIdForTxn(txn) {
      return (await redis.get(keys.otpCodeByTxn(txn))) ?? undefined;
    },

    async withdrawCode(codeId, txn) {
      await WITHDRAW_CODE.run(redis, [keys.otpCodeByTxn(txn), keys.otpCode(codeId)], [codeId]);
    },

    claimRequestCount: (codeId) => claimRequestCount(redis, keys.otpCode(codeId)),

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
