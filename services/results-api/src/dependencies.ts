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

/** Limits of @fastify/rate-limit, per client address (behind a proxy: set api.trustProxy). */
export interface HttpRateLimit {
  readonly max: number;
  readonly timeWindowMs: number;
}

export const DEFAULT_HTTP_RATE_LIMIT: HttpRateLimit = { max: 300, timeWindowMs: 60_000 };

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
