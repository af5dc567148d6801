import type { Redis, Cluster } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';
import { admitScript } from './scripts.js';

export type Admission =
  /** First sight of this transaction: the caller enqueues the job. */
  | { readonly status: 'new'; readonly createdAt: number }
  /** Already being decided: the caller waits (it is now one of the waiters). */
  | { readonly status: 'pending'; readonly createdAt: number }
  /** Already answered: send these exact bytes again (RFC 5080 §2.2.2). */
  | { readonly status: 'answered'; readonly response: Buffer };

export interface AdmitOptions {
  readonly txn: string;
  readonly ingressId: string;
  /** How long the pending transaction lives: the NAS timeout plus a margin. */
  readonly ttlMs: number;
  readonly now?: number;
}

/**
 * One atomic round trip that creates the transaction or joins it, and returns the cached
 * response when there is one. Called only after the packet passed client lookup and the
 * authenticator checks.
 */
export async function admitTransaction(redis: Redis | Cluster, keys: RedisKeys, options: AdmitOptions): Promise<Admission> {
  const now = options.now ?? Date.now();
  const [status, value] = (await admitScript.runBuffer(redis, [keys.txn(options.txn), keys.txnWaiters(options.txn)], [options.ingressId, options.ttlMs, now])) as [Buffer, Buffer];
  const kind = status.toString();
  if (kind === 'answered') return { status: 'answered', response: value };
  return { status: kind === 'new' ? 'new' : 'pending', createdAt: Number(value.toString()) };
}

/**
 * Whether a worker has taken the transaction in hand: its verdict is delivered, or prepared while
 * an out-of-band challenge (push, call) waits. A pending transaction that is neither, and has no
 * job, was admitted by an ingress that failed before it enqueued the job.
 */
export async function isTransactionSettled(redis: Redis | Cluster, keys: RedisKeys, txn: string): Promise<boolean> {
  const [response, prepared] = await redis.hmget(keys.txn(txn), 'response', 'prepared:accept');
  return response !== null || prepared !== null;
}
