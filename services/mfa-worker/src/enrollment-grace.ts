// `unenrolled: enroll` with `enrollGraceDays`: when a user's grace began. Kept in the user's hash so
// an admin unlock or enrolment sees it; set once (HSETNX), on the first login without a factor.
import type { Redis, Cluster } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';

/** Field of the `user:{name}` hash (beside the fields libs/mfa owns). */
export const GRACE_STARTED_FIELD = 'enrollGraceStartedAt';

export async function enrollGraceStartedAt(redis: Redis | Cluster, keys: RedisKeys, user: string, now: number): Promise<number> {
  const key = keys.user(user);
  const [, started] = (await redis.multi().hsetnx(key, GRACE_STARTED_FIELD, String(now)).hget(key, GRACE_STARTED_FIELD).exec()) ?? [];
  const value = Number(started?.[1]);
  return Number.isFinite(value) && value > 0 ? value : now;
}
