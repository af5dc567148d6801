import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, startRedisServer, type RedisHandle } from '@radius-mfa/testing';

describe('Redis fixture', () => {
  let redis: RedisHandle;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('gives a Redis that really stores and returns data', async () => {
    const client = new Redis(redis.url);
    try {
      const key = `${redis.prefix()}:probe`;
      await client.set(key, 'value-1');
      expect(await client.get(key)).toBe('value-1');
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      client.disconnect();
    }
  });

  it('gives each caller its own hash-tagged prefix', () => {
    const a = redis.prefix();
    const b = redis.prefix();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\{t[0-9a-f]{12}\}$/);
  });

  it('stops a private redis-server and leaves its port closed', async () => {
    const own = await startRedisServer();
    const client = new Redis(own.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await own.stop();
    const after = new Redis(own.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    after.on('error', () => undefined);
    await expect(after.connect()).rejects.toThrow();
    after.disconnect();
  });
});
