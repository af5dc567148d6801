import type { Redis } from 'ioredis';
import { LuaScript, VERDICT_LUA, verdictArgs, verdictKeys, type RedisKeys, type Verdict } from '@radius-mfa/contracts';
import { LOCKOUT_LUA } from './lockout-lua.js';
import type { Sealer } from './seal.js';
import { findTotpStep, type TotpAlgorithm } from './totp.js';
import { UserField, totpSecretAad } from './user-fields.js';

/**
 * Lua: totp_decide(userKey, now, step, maxAttempts, lockoutMs, sealed, allowUnconfirmed, txn,
 * confirm) → outcome, lockedUntil or 0, failures. Accepts a TOTP step for a user at most once,
 * counts failures and locks out. Arguments as ARGV[1..8] of VERIFY_TOTP below; `confirm` '1'
 * marks an unconfirmed enrollment confirmed when its code is accepted (the sign-in that proves
 * the app has the secret).
 */
const TOTP_DECIDE_LUA = `${LOCKOUT_LUA}
local function totp_decide(userKey, now, step, maxAttempts, lockoutMs, sealed, allowUnconfirmed, txn, confirm)
  local h = redis.call('HMGET', userKey, '${UserField.totpSecret}', '${UserField.totpConfirmed}', '${UserField.lockedUntil}',
    '${UserField.fraudLockedAt}', '${UserField.totpLastStep}', '${UserField.totpLastTxn}', '${UserField.totpFailures}')
  local secret, confirmed, lockedUntil, fraud, lastStep, lastTxn, failures = h[1], h[2], h[3], h[4], h[5], h[6], h[7]
  if not secret or secret ~= sealed or (confirmed ~= '1' and allowUnconfirmed ~= '1') then
    return 'not-enrolled', 0, 0
  end
  if fraud then return 'locked', 0, 0 end
  if lockedUntil and tonumber(lockedUntil) > now then return 'locked', tonumber(lockedUntil), 0 end
  if txn ~= '' and step ~= '' and lastStep and tonumber(step) == tonumber(lastStep) and lastTxn == txn then
    return 'accepted', 0, 0
  end
  if step ~= '' and (not lastStep or tonumber(step) > tonumber(lastStep)) then
    redis.call('HSET', userKey, '${UserField.totpLastStep}', step, '${UserField.totpLastTxn}', txn)
    -- Most sign-ins follow no failure and no lockout: nothing to clear, no HDEL.
    if (failures and failures ~= '0') or lockedUntil then lockout_clear(userKey) end
    if confirm == '1' and confirmed ~= '1' then redis.call('HSET', userKey, '${UserField.totpConfirmed}', '1') end
    return 'accepted', 0, 0
  end
  -- A replay counts as a failure: whoever replays a seen code is guessing as much as any other.
  local outcome = 'invalid'
  if step ~= '' then outcome = 'replayed' end
  local untilMs, failures = lockout_fail(userKey, now, maxAttempts, lockoutMs)
  return outcome, untilMs, failures
end
`;

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
 * ARGV[8]  '1' to mark an unconfirmed enrollment confirmed when the code is accepted
 * Returns  { outcome, lockedUntil or 0, failures }
 *          outcome: 'accepted' | 'invalid' | 'replayed' | 'locked' | 'not-enrolled'
 */
const VERIFY_TOTP = new LuaScript(`${TOTP_DECIDE_LUA}
return { totp_decide(KEYS[1], tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]) }
`);

/**
 * verifyTotpAndDeliver: the TOTP check and the verdict it leads to in one script, so a code sign-in
 * costs one round trip after the user read. Nothing is checked (no step used, no failure counted)
 * for a transaction that already has its verdict.
 *
 * KEYS[1]  user hash, KEYS[2] txn hash, KEYS[3] txn waiters set, KEYS[4] audit stream
 * ARGV[1..8] as VERIFY_TOTP
 * ARGV[9]  txn id, ARGV[10] ingress channel prefix, ARGV[11] lifetime of the cached answer (ms)
 * ARGV[12] the outcome the verdict at ARGV[13] answers ('accepted' | 'invalid'), or '' for none
 * ARGV[13..] that verdict (verdictArgs form)
 * Returns  { 'answered', standingBytes, 0, 0 }: an earlier verdict stands, the code was not checked
 *          { outcome, bytes, lockedUntil or 0, 1 }: the check's verdict was delivered (it decided)
 *          { outcome, '', lockedUntil or 0, 0 }: no verdict was given for this outcome: the caller delivers
 */
const VERIFY_TOTP_AND_DELIVER = new LuaScript(`${VERDICT_LUA}${TOTP_DECIDE_LUA}
local answered = redis.call('HGET', KEYS[2], 'response')
if answered then return { 'answered', answered, 0, 0 } end
local outcome, lockedUntil = totp_decide(KEYS[1], tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
if ARGV[12] == '' or outcome ~= ARGV[12] then return { outcome, '', lockedUntil, 0 } end
local delivered = deliver_verdict(KEYS[2], KEYS[3], KEYS[4], ARGV[9], ARGV[10], ARGV[11], read_verdict(13), true)
return { outcome, delivered[2], lockedUntil, 1 }
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
  /** Mark an unconfirmed enrollment confirmed when the code is accepted, in the same script. */
  readonly confirm?: boolean;
}

interface TotpCheck {
  readonly key: string;
  readonly sealed: string;
  readonly now: number;
  readonly step: number | undefined;
  /** ARGV[1..8] of VERIFY_TOTP. */
  readonly args: (string | number)[];
}

/** Reads the sealed secret if not given, and finds the step `code` matches (in JS: the secret never reaches Redis unsealed). */
async function prepareCheck(redis: Redis, keys: RedisKeys, user: string, code: string, options: VerifyTotpOptions): Promise<TotpCheck | undefined> {
  const key = keys.user(user);
  const sealed = options.sealedSecret ?? (await redis.hget(key, UserField.totpSecret));
  if (!sealed) return undefined;
  const now = options.now ?? Date.now();
  const secret = options.sealer.unseal(Buffer.from(sealed, 'base64'), totpSecretAad(user));
  const step = findTotpStep(secret, code.replace(/\s+/g, ''), { ...options, time: now / 1000 });
  secret.fill(0);
  const args = [
    now,
    step === undefined ? '' : String(step),
    options.maxAttempts,
    options.lockoutSeconds * 1000,
    sealed,
    options.allowUnconfirmed ? '1' : '0',
    options.txn ?? '',
    options.confirm ? '1' : '0',
  ];
  return { key, sealed, now, step, args };
}

function verifyResult(outcome: TotpVerifyOutcome, step: number | undefined, lockedUntil: number): TotpVerifyResult {
  return {
    outcome,
    ...(outcome === 'accepted' && step !== undefined && { step }),
    ...(lockedUntil > 0 && { lockedUntil }),
  };
}

/**
 * Verifies `code` for `user` (spaces ignored: apps show '123 456'): the match is computed here, the decision (replay, attempts, lockout)
 * is taken atomically in Redis, so two workers given the same code accept it once between them.
 */
export async function verifyTotp(redis: Redis, keys: RedisKeys, user: string, code: string, options: VerifyTotpOptions): Promise<TotpVerifyResult> {
  const check = await prepareCheck(redis, keys, user, code, options);
  if (!check) return { outcome: 'not-enrolled' };
  const [outcome, lockedUntil] = (await VERIFY_TOTP.run(redis, [check.key], check.args)) as [TotpVerifyOutcome, number, number];
  return verifyResult(outcome, check.step, lockedUntil);
}

/** The outcome a code's match makes likely: 'accepted' when it matched a step, 'invalid' when none. */
export type LikelyTotpOutcome = 'accepted' | 'invalid';

export interface TotpDelivery {
  /** The transaction the verdict answers. */
  readonly txn: string;
  /** Lifetime of the cached answer, ms. */
  readonly ttlMs: number;
  /**
   * The verdict for the likely outcome, signed once the code's match is known (one signature per
   * check, not one per possible outcome); undefined when that outcome does not end the sign-in
   * (a wrong code that gets another try). A less likely outcome (a replay, a lockout) comes back
   * as 'checked' and the caller delivers its verdict.
   */
  readonly verdictFor: (likely: LikelyTotpOutcome) => Verdict | undefined;
}

export type TotpDeliveryResult =
  /** The transaction had its verdict already: nothing was checked, no step used. */
  | { readonly status: 'answered'; readonly response: Buffer }
  /** Checked, and the verdict for the outcome was delivered (it decided the transaction). */
  | ({ readonly status: 'delivered'; readonly response: Buffer } & TotpVerifyResult)
  /** Checked; no verdict was given for this outcome: the caller decides and delivers. */
  | ({ readonly status: 'checked' } & TotpVerifyResult);

/**
 * verifyTotp and the delivery of the verdict it leads to, in one atomic script (one round trip):
 * first verdict wins, the step is used at most once (a retried job of the same admission, `txn`,
 * is told 'accepted' again), failures and lockouts counted, the audit entry written with the
 * verdict that decides.
 */
export async function verifyTotpAndDeliver(redis: Redis, keys: RedisKeys, user: string, code: string, options: VerifyTotpOptions & { readonly delivery: TotpDelivery }): Promise<TotpDeliveryResult> {
  const check = await prepareCheck(redis, keys, user, code, options);
  if (!check) return { status: 'checked', outcome: 'not-enrolled' };
  const { delivery } = options;
  const likely: LikelyTotpOutcome = check.step === undefined ? 'invalid' : 'accepted';
  const verdict = delivery.verdictFor(likely);
  const [status, response, lockedUntil, delivered] = (await VERIFY_TOTP_AND_DELIVER.runBuffer(redis, [check.key, ...verdictKeys(keys, delivery.txn)], [
    ...check.args,
    delivery.txn,
    keys.ingressChannel(''),
    delivery.ttlMs,
    ...(verdict ? [likely, ...verdictArgs(verdict)] : ['']),
  ])) as [Buffer, Buffer, number, number];
  const outcome = status.toString();
  if (outcome === 'answered') return { status: 'answered', response };
  const result = verifyResult(outcome as TotpVerifyOutcome, check.step, lockedUntil);
  return delivered === 1 ? { status: 'delivered', response, ...result } : { status: 'checked', ...result };
}
