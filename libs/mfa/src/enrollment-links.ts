// Single-use enrollment links: an admin (results-api) or a sign-in under `unenrolled: enroll`
// (mfa-worker) creates one for a user; the person opens it, scans the QR code and confirms with a
// first code (or enrolls for push). Redis keeps only the token's SHA-256. Shared by both services.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';
import { enrollmentLinkKey } from './link-tokens.js';

export type EnrollmentMethod = 'totp' | 'push';

export interface EnrollmentLink {
  readonly user: string;
  readonly methods: readonly EnrollmentMethod[];
  /** Unix ms. */
  readonly expiresAt: number;
  /** A TOTP secret was issued through this link (reopening the page shows the same one). */
  readonly totpIssued: boolean;
}

export interface EnrollmentLinks {
  create(user: string, options: { methods: readonly EnrollmentMethod[]; ttlMs: number }): Promise<{ token: string; expiresAt: number }>;
  get(token: string): Promise<EnrollmentLink | undefined>;
  markTotpIssued(token: string): Promise<void>;
  /** Ends the link; true for exactly one caller, however many race. */
  consume(token: string): Promise<boolean>;
}

/** The path of an enrollment page, relative to `api.publicUrl`. */
export const ENROLLMENT_ROUTE = '/v1/enroll/:token';

export function enrollmentUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${ENROLLMENT_ROUTE.replace(':token', encodeURIComponent(token))}`;
}

/** KEYS[1] link hash. Sets totpIssued if the link exists. Returns 1 if it did. */
const MARK_TOTP_ISSUED = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'totpIssued', '1') return 1 end return 0`;

export function createEnrollmentLinks(redis: Redis, keys: RedisKeys): EnrollmentLinks {
  const keyOf = (token: string): string => enrollmentLinkKey(keys, token);
  return {
    async create(user, { methods, ttlMs }) {
      const token = randomBytes(32).toString('base64url');
      const expiresAt = Date.now() + ttlMs;
      const key = keyOf(token);
      await redis
        .multi()
        .hset(key, { user, methods: methods.join(','), expiresAt: String(expiresAt), totpIssued: '0' })
        .pexpireat(key, expiresAt)
        .exec();
      return { token, expiresAt };
    },

    async get(token) {
      const hash = await redis.hgetall(keyOf(token));
      if (hash['user'] === undefined) return undefined;
      return {
        user: hash['user'],
        methods: (hash['methods'] ?? '').split(',').filter((m): m is EnrollmentMethod => m === 'totp' || m === 'push'),
        expiresAt: Number(hash['expiresAt']),
        totpIssued: hash['totpIssued'] === '1',
      };
    },

    async markTotpIssued(token) {
      // Only on a link that still exists, atomically: a consumed link must not come back without a TTL.
      await redis.eval(MARK_TOTP_ISSUED, 1, keyOf(token));
    },

    async consume(token) {
      return (await redis.del(keyOf(token))) === 1;
    },
  };
}
