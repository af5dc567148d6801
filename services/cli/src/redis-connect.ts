// A Redis connection for a one-shot command: fails fast with a readable reason instead of retrying forever.
import type { Config } from '@radius-mfa/config';
import { createRedis, type RedisClient } from '@radius-mfa/runtime';

export class RedisUnreachableError extends Error {
  readonly code = 'REDIS_UNREACHABLE';
  constructor(
    /** host:port only: the URL may carry a password. */
    readonly where: string,
    readonly reason: string,
  ) {
    super(`cannot reach Redis at ${where}: ${reason}`);
    this.name = 'RedisUnreachableError';
  }
}

/** Where a Redis config points, without credentials. */
export function redisLocation(config: Config['redis']): string {
  if (config.cluster) return `cluster ${config.cluster.nodes.map((n) => new URL(n).host).join(', ')}`;
  if (config.sentinel) return `sentinel ${config.sentinel.name} via ${config.sentinel.sentinels.join(', ')}`;
  return new URL(config.url).host;
}

export async function connectRedis(config: Config['redis'], purpose: string, timeoutMs = 5_000): Promise<RedisClient> {
  const redis = createRedis(config, purpose);
  let lastError = 'no answer';
  const onError = (error: Error): void => {
    lastError = error.message;
  };
  redis.on('error', onError);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new RedisUnreachableError(redisLocation(config), lastError)), timeoutMs);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return redis;
  } catch (error) {
    redis.disconnect();
    throw error;
  } finally {
    redis.off('error', onError);
    // Later errors (a reconnect) surface as failed commands; keep the process from crashing on the event.
    redis.on('error', () => undefined);
  }
}

export async function closeRedis(redis: RedisClient): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
