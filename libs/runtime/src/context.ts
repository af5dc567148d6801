// Builds the RoleContext the roles of one process share: one registry, one shutdown, one readiness.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import type { Config } from '@radius-mfa/config';
import type { Logger } from './logger.js';
import type { RoleContext } from './role.js';
import { createMetrics } from './metrics.js';
import { createShutdown } from './shutdown.js';
import { createReadinessRegistry, type ReadinessRegistry } from './readiness.js';
import { createRedis, type RedisClient } from './redis.js';

export interface RoleContextOptions {
  config: Config;
  logger: Logger;
  instanceId?: string;
  registry?: Registry;
  readiness?: ReadinessRegistry;
}

export interface RoleContextHandle {
  context: RoleContext;
  /** Closes every connection made through `context.redis`; add it as the last shutdown step. */
  closeRedisConnections(timeoutMs?: number): Promise<void>;
}

/** Unique per process, readable in logs: `host-1a2b3c4d`. */
export function newInstanceId(): string {
  const host = hostname().replace(/[^A-Za-z0-9-]/g, '').slice(0, 40) || 'host';
  return `${host}-${randomBytes(4).toString('hex')}`;
}

async function closeRedis(redis: RedisClient, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([redis.quit(), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  } catch {
    // Already closed or never connected: nothing left to release but the socket.
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

export function createRoleContext(options: RoleContextOptions): RoleContextHandle {
  const registry = options.registry ?? new Registry();
  const connections = new Set<RedisClient>();
  const context: RoleContext = {
    config: options.config,
    logger: options.logger,
    metrics: createMetrics(registry),
    registry,
    shutdown: createShutdown(options.logger),
    readiness: options.readiness ?? createReadinessRegistry(),
    instanceId: options.instanceId ?? newInstanceId(),
    redis(purpose, redisOptions) {
      const redis = createRedis(options.config.redis, purpose, redisOptions);
      // Log, don't crash: ioredis reconnects by itself; /readyz reports the outage.
      redis.on('error', (error: Error) => options.logger.warn({ purpose, err: error.message }, 'redis connection error'));
      connections.add(redis);
      return redis;
    },
  };
  return {
    context,
    async closeRedisConnections(timeoutMs = 2_000) {
      const all = [...connections];
      connections.clear();
      await Promise.all(all.map((redis) => closeRedis(redis, timeoutMs)));
    },
  };
}
