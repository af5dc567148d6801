// What the `users` commands work with: the config's Redis, key prefix, sealer and user store.
import type { Redis } from 'ioredis';
import { redisKeys, type RedisKeys } from '@radius-mfa/contracts';
import type { Config } from '@radius-mfa/config';
import { normalizeUserName } from '@radius-mfa/directory';
import { createSealerFromBase64, createUserStore, type Sealer, type UserStore } from '@radius-mfa/mfa';
import { closeRedis, connectRedis } from './redis-connect.js';

export interface UserAdmin {
  readonly config: Config;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly sealer: Sealer;
  readonly users: UserStore;
  /** The one spelling of a user name every lookup uses (config userNames rules). */
  normalize(name: string): string;
  close(): Promise<void>;
}

export async function openUserAdmin(config: Config): Promise<UserAdmin> {
  // libs/mfa types its stores with `Redis`; a Cluster client offers the same commands they use.
  const redis = (await connectRedis(config.redis, 'cli')) as Redis;
  const keys = redisKeys(config.redis.keyPrefix);
  const sealer = createSealerFromBase64(config.security.sealingKeys);
  return {
    config,
    redis,
    keys,
    sealer,
    users: createUserStore({ redis, keys, sealer, totp: config.mfa.totp }),
    normalize: (name) => normalizeUserName(name, config.userNames),
    close: () => closeRedis(redis),
  };
}
