import { afterAll, beforeAll } from 'vitest';
import { Redis } from 'ioredis';
import { redisKeys, type RedisKeys } from '@radius-mfa/contracts';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';

export interface RedisSuite {
  server: RedisHandle;
  /** Two connections, as two workers (or a worker and the results-api) would hold. */
  a: Redis;
  b: Redis;
  prefix: string;
  keys: RedisKeys;
}

/** A Redis of the suite's own, started before and stopped after it; read the fields inside tests. */
export function useRedisSuite(): RedisSuite {
  const suite = {} as RedisSuite;
  beforeAll(async () => {
    suite.server = await startRedis();
    suite.a = new Redis(suite.server.url);
    suite.b = new Redis(suite.server.url);
    suite.prefix = suite.server.prefix();
    suite.keys = redisKeys(suite.prefix);
  });
  afterAll(async () => {
    suite.a?.disconnect();
    suite.b?.disconnect();
    await suite.server?.stop();
  });
  return suite;
}
