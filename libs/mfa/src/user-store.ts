import type { Redis } from 'ioredis';
import { LuaScript, type RedisKeys } from '@radius-mfa/contracts';
import { base32Decode, base32Encode } from './base32.js';
import { generateNtfyTopic } from './notifiers/ntfy-topic.js';
import type { PushNotifierConfig } from './notifiers/push-notifier.js';
import type { Sealer } from './seal.js';
import { generateTotpSecret, otpauthUri, type TotpParameters } from './totp.js';
import { UserField, ntfyTopicAad, totpSecretAad } from './user-fields.js';

/** A user's second-factor enrollments as Redis holds them (`user:{name}` hash); no secret in it. */
export interface UserRecord {
  readonly name: string;
  readonly totp?: { readonly confirmed: boolean; readonly enrolledAt: number };
  readonly push?: { readonly enrolledAt: number; readonly notifier?: PushNotifierConfig };
  readonly phone?: string;
  /** Unix ms; set while a TOTP lockout runs (may be in the past once it has run out). */
  readonly lockedUntil?: number;
  /** Unix ms of a "this wasn't me" report. */
  readonly fraudLockedAt?: number;
  readonly fraudReports: number;
  readonly consecutiveDenials: number;
}

export interface UserStoreOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly sealer: Sealer;
  /** `mfa.totp`: what the otpauth:// URI tells the authenticator app. */
  readonly totp: TotpParameters & { readonly issuer: string };
}

export interface EnrollTotpOptions {
  /** An existing secret (raw bytes or base32, e.g. a hardware token's); a fresh one by default. */
  readonly secret?: Buffer | string;
  /** Mark usable at once (admin import); otherwise the first valid code confirms it. */
  readonly confirmed?: boolean;
  /** Refuse (AlreadyEnrolledError) when the user has a TOTP secret already: an enrollment link never replaces one. */
  readonly ifAbsent?: boolean;
}

export interface EnrollPushOptions {
  /** Where this user's pushes go instead of `mfa.push.notifier`. */
  readonly notifier?: PushNotifierConfig;
  /**
   * Mint a fresh random ntfy topic for this user (see `usesPersonalNtfyTopic`); any earlier one
   * stops receiving. Without it, a stored topic is removed.
   */
  readonly ntfyTopic?: boolean;
  /** Refuse (AlreadyEnrolledError) when the user is enrolled for push already: an enrollment link never replaces it. */
  readonly ifAbsent?: boolean;
}

/** `ifAbsent` enrollment of a factor the user has: replacing it is an admin's action (admin API, `users enroll`). */
export class AlreadyEnrolledError extends Error {
  constructor(readonly method: 'totp' | 'push') {
    super(`already enrolled for ${method}; an administrator can replace it`);
    this.name = 'AlreadyEnrolledError';
  }
}

/**
 * Enrolls unless the factor is there, atomically (two link holders racing cannot both write).
 * KEYS[1]  user hash  KEYS[2]  users set
 * ARGV[1]  the field that marks the factor enrolled ('' = always write)  ARGV[2]  user name
 * ARGV[3]  how many stale fields follow, to delete  ARGV[4..]  stale fields, then field/value pairs
 * Returns  1 written, 0 the factor was there (nothing written)
 */
const ENROLL = new LuaScript(`
if ARGV[1] ~= '' and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
local stale = tonumber(ARGV[3])
for i = 4, 3 + stale do redis.call('HDEL', KEYS[1], ARGV[i]) end
for i = 4 + stale, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[2], ARGV[2])
return 1
`);

export interface PushEnrollment {
  /** The user's new ntfy topic, to show them once so they can subscribe in the ntfy app. */
  readonly ntfyTopic?: string;
}

/** A user record with the stored (sealed) TOTP secret beside it, read in one command. */
export interface SignInUser {
  readonly record: UserRecord | undefined;
  /**
   * The sealed secret as stored (base64, never the cleartext), for `verifyTotp`'s `sealedSecret`:
   * a sign-in that read the record need not read the secret again. Never log or return it.
   */
  readonly sealedTotpSecret: string | undefined;
}

export interface UserStore {
  getUser(name: string): Promise<UserRecord | undefined>;
  /** `getUser` and the sealed TOTP secret from the same read (one HGETALL). */
  getUserForSignIn(name: string): Promise<SignInUser>;
  /** The unsealed TOTP secret, for verification only; never log or return it to a client. */
  getTotpSecret(name: string): Promise<{ secret: Buffer; confirmed: boolean } | undefined>;
  enrollTotp(name: string, options?: EnrollTotpOptions): Promise<{ secret: string; otpauthUri: string }>;
  /** Marks an enrolled TOTP secret confirmed; false when the user has none. */
  confirmTotp(name: string): Promise<boolean>;
  removeTotp(name: string): Promise<boolean>;
  /**
   * A notifier override is stored without its signingSecret, token or topic (never cleartext in
   * Redis); a minted ntfy topic is stored sealed.
   */
  enrollPush(name: string, options?: EnrollPushOptions): Promise<PushEnrollment>;
  /** The unsealed ntfy topic of the user's push enrollment, for publishing only; never log it. */
  getNtfyTopic(name: string): Promise<string | undefined>;
  removePush(name: string): Promise<boolean>;
  setPhone(name: string, phone: string | undefined): Promise<void>;
  /** Clears the TOTP lockout, the fraud lock and the denial counter. */
  unlock(name: string): Promise<void>;
  lockForFraud(name: string, at?: number): Promise<void>;
  /** SSCAN over enrolled names; iterate until `cursor` is '0'. */
  listUsers(options?: { cursor?: string; count?: number }): Promise<{ cursor: string; users: string[] }>;
}

function optionalNumber(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

/**
 * Where a user's pushes go, without the signing secret or access token: those stay in the config
 * (the worker applies the configured ones to an override of the same type), because the user
 * hash must not hold a cleartext secret.
 */
function withoutSecrets(notifier: PushNotifierConfig): PushNotifierConfig {
  const timeout = notifier.timeoutSeconds === undefined ? {} : { timeoutSeconds: notifier.timeoutSeconds };
  if (notifier.type === 'webhook') return { type: 'webhook', url: notifier.url, ...timeout };
  // A topic is a secret too (whoever knows it reads and answers the pushes): the user's own one is
  // minted at enrollment and kept sealed, never taken from the request.
  return { type: 'ntfy', url: notifier.url, ...timeout };
}

function parseNotifier(json: string | undefined): PushNotifierConfig | undefined {
  return json === undefined ? undefined : (JSON.parse(json) as PushNotifierConfig);
}

export function toUserRecord(name: string, hash: Record<string, string>): UserRecord | undefined {
  if (Object.keys(hash).length === 0) return undefined;
  const get = (field: string): string | undefined => hash[field];
  const totpEnrolledAt = optionalNumber(get(UserField.totpEnrolledAt));
  const pushEnrolledAt = optionalNumber(get(UserField.pushEnrolledAt));
  const notifier = parseNotifier(get(UserField.pushNotifier));
  const phone = get(UserField.phone);
  const lockedUntil = optionalNumber(get(UserField.lockedUntil));
  const fraudLockedAt = optionalNumber(get(UserField.fraudLockedAt));
  return {
    name,
    ...(get(UserField.totpSecret) !== undefined && {
      totp: { confirmed: get(UserField.totpConfirmed) === '1', enrolledAt: totpEnrolledAt ?? 0 },
    }),
    ...(pushEnrolledAt !== undefined && { push: { enrolledAt: pushEnrolledAt, ...(notifier && { notifier }) } }),
    ...(phone !== undefined && { phone }),
    ...(lockedUntil !== undefined && { lockedUntil }),
    ...(fraudLockedAt !== undefined && { fraudLockedAt }),
    fraudReports: Number(get(UserField.fraudReports) ?? 0),
    consecutiveDenials: Number(get(UserField.consecutiveDenials) ?? 0),
  };
}

export function createUserStore(options: UserStoreOptions): UserStore {
  const { redis, keys, sealer, totp } = options;

  async function enrolled(name: string, fields: Record<string, string>, guard: { field?: string; stale?: readonly string[] } = {}): Promise<boolean> {
    const stale = guard.stale ?? [];
    const written = await ENROLL.run(redis, [keys.user(name), keys.users()], [guard.field ?? '', name, stale.length, ...stale, ...Object.entries(fields).flat()]);
    return written === 1;
  }

  return {
    async getUser(name) {
      return toUserRecord(name, await redis.hgetall(keys.user(name)));
    },

    async getUserForSignIn(name) {
      const hash = await redis.hgetall(keys.user(name));
      return { record: toUserRecord(name, hash), sealedTotpSecret: hash[UserField.totpSecret] };
    },

    async getTotpSecret(name) {
      const [sealed, confirmed] = await redis.hmget(keys.user(name), UserField.totpSecret, UserField.totpConfirmed);
      if (!sealed) return undefined;
      return { secret: sealer.unseal(Buffer.from(sealed, 'base64'), totpSecretAad(name)), confirmed: confirmed === '1' };
    },

    async enrollTotp(name, enrollOptions = {}) {
      const given = enrollOptions.secret;
      const secret = given === undefined ? generateTotpSecret() : typeof given === 'string' ? base32Decode(given) : given;
      const sealed = sealer.seal(secret, totpSecretAad(name)).toString('base64');
      const written = await enrolled(
        name,
        {
          [UserField.totpSecret]: sealed,
          [UserField.totpConfirmed]: enrollOptions.confirmed ? '1' : '0',
          [UserField.totpEnrolledAt]: String(Date.now()),
          [UserField.totpFailures]: '0',
        },
        enrollOptions.ifAbsent ? { field: UserField.totpSecret } : {},
      );
      if (!written) {
        secret.fill(0);
        throw new AlreadyEnrolledError('totp');
      }
      return {
        secret: base32Encode(secret),
        otpauthUri: otpauthUri({ ...totp, account: name, secret }),
      };
    },

    async confirmTotp(name) {
      const key = keys.user(name);
      if (!(await redis.hexists(key, UserField.totpSecret))) return false;
      await redis.hset(key, UserField.totpConfirmed, '1');
      return true;
    },

    async removeTotp(name) {
      const removed = await redis.hdel(
        keys.user(name),
        UserField.totpSecret,
        UserField.totpConfirmed,
        UserField.totpEnrolledAt,
        UserField.totpFailures,
      );
      return removed > 0;
    },

    async enrollPush(name, pushOptions = {}) {
      const stale = [...(pushOptions.notifier ? [] : [UserField.pushNotifier]), ...(pushOptions.ntfyTopic ? [] : [UserField.pushNtfyTopic])];
      const ntfyTopic = pushOptions.ntfyTopic ? generateNtfyTopic() : undefined;
      const written = await enrolled(
        name,
        {
          [UserField.pushEnrolledAt]: String(Date.now()),
          ...(pushOptions.notifier && { [UserField.pushNotifier]: JSON.stringify(withoutSecrets(pushOptions.notifier)) }),
          ...(ntfyTopic !== undefined && { [UserField.pushNtfyTopic]: sealer.seal(Buffer.from(ntfyTopic, 'utf8'), ntfyTopicAad(name)).toString('base64') }),
        },
        { stale, ...(pushOptions.ifAbsent && { field: UserField.pushEnrolledAt }) },
      );
      if (!written) throw new AlreadyEnrolledError('push');
      return ntfyTopic === undefined ? {} : { ntfyTopic };
    },

    async getNtfyTopic(name) {
      const sealed = await redis.hget(keys.user(name), UserField.pushNtfyTopic);
      return sealed ? sealer.unseal(Buffer.from(sealed, 'base64'), ntfyTopicAad(name)).toString('utf8') : undefined;
    },

    async removePush(name) {
      return (await redis.hdel(keys.user(name), UserField.pushEnrolledAt, UserField.pushNotifier, UserField.pushNtfyTopic)) > 0;
    },

    async setPhone(name, phone) {
      if (phone === undefined) await redis.hdel(keys.user(name), UserField.phone);
      else await enrolled(name, { [UserField.phone]: phone });
    },

    async unlock(name) {
      // Absent counters read as zero, so deleting never creates a hash for an unknown user.
      await redis.hdel(keys.user(name), UserField.lockedUntil, UserField.fraudLockedAt, UserField.totpFailures, UserField.consecutiveDenials);
    },

    async lockForFraud(name, at = Date.now()) {
      await redis
        .multi()
        .hset(keys.user(name), UserField.fraudLockedAt, String(at))
        .hincrby(keys.user(name), UserField.fraudReports, 1)
        .exec();
    },

    async listUsers(listOptions = {}) {
      const [cursor, users] = await redis.sscan(keys.users(), listOptions.cursor ?? '0', 'COUNT', listOptions.count ?? 100);
      return { cursor, users };
    },
  };
}
