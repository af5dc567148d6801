// Which attempt counts a push, a call or a texted code in mfa_provider_requests_total: the first
// to claim it on the record the request left (its challenge, its code). The attempt that sent it
// claims it right after; a retried job claims it only when that attempt died before it could (a
// worker killed while its push was in flight: the push went out, so it counts as sent). Counted
// once either way.
import type { Redis } from 'ioredis';
import { LuaScript } from '@radius-mfa/contracts';

/** KEYS[1] the request's record (a hash). Returns 1 for the first claim while the record lives, else 0. */
const CLAIM = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'requestCounted', '1')
`);

export async function claimRequestCount(redis: Redis, recordKey: string): Promise<boolean> {
  return (await CLAIM.run(redis, [recordKey], [])) === 1;
}
