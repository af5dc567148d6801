import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisKeys, type RedisKeys } from '@radius-mfa/contracts';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { createEnrollmentLinks, enrollmentUrl } from '@radius-mfa/mfa';

describe('enrollment links', () => {
  let server: RedisHandle;
  let redis: Redis;
  let keys: RedisKeys;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    keys = redisKeys(server.prefix());
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('stores only the token hash, expires, and is consumed once', async () => {
    const links = createEnrollmentLinks(redis, keys);
    const { token, expiresAt } = await links.create('alice', { methods: ['totp', 'push'], ttlMs: 60_000 });
    expect(await redis.keys(`${keys.prefix}:*${token}*`)).toEqual([]);
    expect(await links.get(token)).toEqual({ user: 'alice', methods: ['totp', 'push'], expiresAt, totpIssued: false });
    await links.markTotpIssued(token);
    expect((await links.get(token))?.totpIssued).toBe(true);
    const [first, second] = await Promise.all([links.consume(token), links.consume(token)]);
    expect([first, second].sort()).toEqual([false, true]);
    await links.markTotpIssued(token);
    expect(await links.get(token)).toBeUndefined();
    expect(enrollmentUrl('https://mfa.example.com/', 'a/b')).toBe('https://mfa.example.com/v1/enroll/a%2Fb');
  });
});
