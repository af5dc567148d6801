import type { Redis } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';
import { LuaScript } from '@radius-mfa/contracts';
import type { Sealer } from './seal.js';
import { findTotpStep, type TotpAlgorithm } from './totp.js';
import { UserField, totpSecretAad } from './user-fields.js';

/**
 * Accepts a TOTP step for a user at most once, counts failures and locks out, atomically.
 *
 * KEYS[1]  user hash (`user:{name}`)
 * ARGV[1]  now, Unix ms
 * ARGV[2]  the step the code matched (computed in JS from the unsealed secret), or '' for no match
 * ARGV[3]  maxAttempts: failures that start a lockout
 * ARGV[4]  lockout duration, ms
 * ARGV[5]  the sealed secret the step was computed with (a concurrent re-enrollment invalidates it)
 * ARGV[6]  '1' if an unconfirmed enrollment may be used (the confirming login)
 * ARGV[7]  the transaction verifying, or '': recorded with an accepted step, so a retried job of the
 *          same transaction presenting the same step is told 'accepted' again, not 'replayed'
 * Returns  { outcome, lockedUntil or 0, failures }
 *          outcome: 'accepted' | 'invalid' | 'replayed' | 'locked' | 'not-enrolled'
 */
const VERIFY_TOTP = new LuaScript(`
local now = tonumber(ARGV[1])
local h = redis.call('HMGET', KEYS[1], '${UserField.totpSecret}', '${UserField.totpConfirmed}', '${UserField.lockedUntil}',
  '${UserField.fraudLockedAt}', '${UserField.totpLastStep}', '${UserField.totpLastTxn}')
local secret, confirmed, lockedUntil, fraud, lastStep, lastTxn = h[1], h[2], h[3], h[4], h[5], h[6]
if not secret or secret ~= ARGV[5] or (confirmed ~= '1' and ARGV[6] ~= '1') then
  return {'not-enrolled', 0, 0}
end
if fraud then return {'locked', 0, 0} end
if lockedUntil and tonumber(lockedUntil) > now then return {'locked', tonumber(lockedUntil), 0} end
if ARGV[7] ~= '' and ARGV[2] ~= '' and lastStep and tonumber(ARGV[2]) == tonumber(lastStep) and lastTxn == ARGV[7] then
  return {'accepted', 0, 0}
end
if ARGV[2] ~= '' and (not lastStep or tonumber(ARGV[2]) > tonumber(lastStep)) then
  redis.call('HSET', KEYS[1], '${UserField.totpLastStep}', ARGV[2], '${UserField.totpFailures}', 0, '${UserField.totpLastTxn}', ARGV[7])
  redis.call('HDEL', KEYS[1], '${UserField.lockedUntil}')
  return {'accepted', 0, 0}
end
-- A replay counts as a failure: whoever replays a seen code is guessing as much as any other.
local failures = redis.call('HINCRBY', KEYS[1], '${UserField.totpFailures}', 1)
local outcome = 'invalid'
if ARGV[2] ~= '' then outcome = 'replayed' end
if failures >= tonumber(ARGV[3]) then
  local untilMs = now + tonumber(ARGV[4])
  redis.call('HSET', KEYS[1], '${UserField.lockedUntil}', untilMs, '${UserField.totpFailures}', 0)
  return {outcome, untilMs, failures}
end
return {outcome, 0, failures}
`);

export type TotpVerifyOutcome = 'accepted' | 'invalid' | 'replayed' | 'locked' | 'not-enrolled';

export interface TotpVerifyResult {
  readonly outcome: TotpVerifyOutcome;
  /** The step accepted (accepted only). */
  readonly step?: number;
  /** Set when this attempt started a lockout, or the user is locked until then. */
  readonly lockedUntil?: number;
}

export interface VerifyTotpOptions {
  readonly sealer: Sealer;
  /** `mfa.totp` */
  readonly digits: number;
  readonly period: number;
  readonly window: number;
  readonly algorithm: TotpAlgorithm;
  readonly maxAttempts: number;
  readonly lockoutSeconds: number;
  /** Accept an enrollment not yet confirmed (the login that confirms it). */
  readonly allowUnconfirmed?: boolean;
  /** Unix ms; now by default. */
  readonly now?: number;
  /**
   * The RADIUS transaction verifying. A retried job of the same transaction (a worker that died
   * after the code was accepted) gets 'accepted' again for the same step; any other gets 'replayed'.
   */
  readonly txn?: string;
  /**
   * The sealed secret as already read with the user record (`getUserForSignIn`), to skip reading
   * it again. Safe when stale: the script accepts only while it is still the stored one (a
   * re-enrollment in between gives 'not-enrolled', as it does between the read and the script now).
   */
  readonly sealedSecret?: string;
}

/**
 * Verifies `code` for `user` (spaces ignored: apps show '123 456'): the match is computed here, the decision (replay, attempts, lockout)
 * is taken atomically in Redis, so two workers given the same code accept it once between them.
 */
export async function verifyTotp(redis: Redis, keys: RedisKeys, user: string, code: string, options: VerifyTotpOptions): Promise<TotpVerifyResult> {
  const key = keys.user(user);
  const sealed = options.sealedSecret ?? (await redis.hget(key, UserField.totpSecret));
  if (!sealed) return { outcome: 'not-enrolled' };
  const now = options.now ?? Date.now();
  const secret = options.sealer.unseal(Buffer.from(sealed, 'base64'), totpSecretAad(user));
  const step = findTotpStep(secret, code.replace(/\s+/g, ''), { ...options, time: now / 1000 });
  secret.fill(0);
  const [outcome, lockedUntil] = (await VERIFY_TOTP.run(redis, [key], [
    now,
    step === undefined ? '' : String(step),
    options.maxAttempts,
    options.lockoutSeconds * 1000,
    sealed,
    options.allowUnconfirmed ? '1' : '0',
    options.txn ?? '',
  ])) as [TotpVerifyOutcome, number, number];
  return {
    outcome,
    ...(outcome === 'accepted' && step !== undefined && { step }),
    ...(lockedUntil > 0 && { lockedUntil }),
  };
}
