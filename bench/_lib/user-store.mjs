// The product's user store over a bench's Redis, for bulk enrollment.
import { Cluster, Redis } from 'ioredis';
import { redisKeys } from '@radius-mfa/contracts';
import { createSealer, createUserStore } from '@radius-mfa/mfa';

/**
 * Runs `use(store)` with a user store on `redisUrl` (or the Redis Cluster of `clusterNodes`,
 * `redis://host:port` seeds) under `keyPrefix`, then disconnects.
 */
export async function withUserStore({ redisUrl, keyPrefix, sealingKey, clusterNodes }, use) {
  const redis = clusterNodes
    ? new Cluster(clusterNodes.map((node) => ({ host: new URL(node).hostname, port: Number(new URL(node).port) })))
    : new Redis(redisUrl);
  try {
    const store = createUserStore({
      redis,
      keys: redisKeys(keyPrefix),
      sealer: createSealer([{ id: sealingKey.id, key: Buffer.from(sealingKey.key, 'base64') }]),
      totp: { digits: 6, period: 30, algorithm: 'SHA1', issuer: 'bench' },
    });
    return await use(store);
  } finally {
    redis.disconnect();
  }
}

/** Calls `enroll(index)` for 0..count-1 with `concurrency` in flight. */
export async function forEachIndex(count, concurrency, enroll) {
  let next = 0;
  const lane = async () => {
    while (next < count) await enroll(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}
