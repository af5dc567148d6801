// What the results-api needs from the outside: built once by start-results.ts, or by a test.
import type { Redis } from 'ioredis';
import type { Config } from '@radius-mfa/config';
import { redisKeys, type RedisKeys } from '@radius-mfa/contracts';
import {
  createChallengeStore,
  createEnrollmentLinks,
  createSealerFromBase64,
  createUserStore,
  type ChallengeStore,
  type EnrollmentLinks,
  type Sealer,
  type UserStore,
} from '@radius-mfa/mfa';
import type { Logger, Metrics } from '@radius-mfa/runtime';
import { createAuditLog, type AuditLog } from './audit-log.js';
import type { VoiceCallbackHandler } from './voice-callbacks.js';

export interface ResultsDependencies {
  readonly config: Config;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly challenges: ChallengeStore;
  readonly users: UserStore;
  readonly sealer: Sealer;
  readonly enrollmentLinks: EnrollmentLinks;
  readonly audit: AuditLog;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Present only when voice approval through ACS is configured; the callback route exists only then. */
  readonly voice?: VoiceCallbackHandler;
}

/** `max` requests per `timeWindowMs`, counted in Redis so that every pod shares the count. */
export interface HttpRateLimit {
  readonly max: number;
  readonly timeWindowMs: number;
}

/**
 * The results-api's limits. A flood cannot spend a real user's budget: each link's token has its
 * own, and only an unknown or wrong token costs the client address that sent it.
 */
export interface HttpRateLimits {
  /** Requests naming one token (approval, denial, enrollment link, voice challenge), from anywhere. */
  readonly perToken: HttpRateLimit;
  /** Unknown, malformed or wrong tokens per client address; past it the address is refused on those routes. */
  readonly unknownTokensPerAddress: HttpRateLimit;
  /** The admin API per client address (wrong bearer tokens included). */
  readonly adminPerAddress: HttpRateLimit;
}

export const DEFAULT_HTTP_RATE_LIMITS: HttpRateLimits = {
  perToken: { max: 30, timeWindowMs: 60_000 },
  unknownTokensPerAddress: { max: 30, timeWindowMs: 60_000 },
  adminPerAddress: { max: 600, timeWindowMs: 60_000 },
};

/** The stores over one Redis connection, as every pod (and every test app) builds them. */
export function createResultsDependencies(input: {
  config: Config;
  redis: Redis;
  metrics: Metrics;
  logger: Logger;
  voice?: VoiceCallbackHandler;
}): ResultsDependencies {
  const { config, redis, logger } = input;
  const keys = redisKeys(config.redis.keyPrefix);
  const sealer = createSealerFromBase64(config.security.sealingKeys);
  return {
    config,
    redis,
    keys,
    challenges: createChallengeStore({ redis, keys }),
    users: createUserStore({ redis, keys, sealer, totp: config.mfa.totp }),
    sealer,
    enrollmentLinks: createEnrollmentLinks(redis, keys),
    audit: createAuditLog(redis, keys, logger.child({ component: 'results-api' })),
    metrics: input.metrics,
    logger,
    ...(input.voice && { voice: input.voice }),
  };
}
