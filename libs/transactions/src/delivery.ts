import type { Redis, Cluster } from 'ioredis';
import { decodeDelivery, verdictArgs, verdictKeys, ContractError, type AuditEvent, type RedisKeys, type DeliveryMessage } from '@radius-mfa/contracts';
import { deliverPreparedScript, deliverScript, prepareScript } from './scripts.js';

export interface DeliverResult {
  /** True when this call's verdict was stored; false when an earlier one stands. */
  readonly decided: boolean;
  /** The bytes every waiting ingress sends: this call's, or the earlier verdict's. */
  readonly response: Buffer;
}

/** Default lifetime of an answered transaction, to answer late retransmissions identically. */
export const ANSWERED_TTL_MS = 60_000;

export interface DeliverOptions {
  /** Lifetime of the cached answer; ANSWERED_TTL_MS by default. */
  readonly ttlMs?: number;
  /** The decision's audit entry: written with the verdict, only when this verdict decides. */
  readonly audit?: AuditEvent;
}

/**
 * The one verdict path: store the signed response bytes as the transaction's cached answer and
 * publish them to every ingress waiting on it. First verdict wins; the audit entry goes with the
 * verdict that decided, so a transaction has one however many attempts answered it.
 */
export async function deliverVerdict(redis: Redis | Cluster, keys: RedisKeys, txn: string, response: Buffer, options: DeliverOptions = {}): Promise<DeliverResult> {
  const [decided, stored] = (await deliverScript.runBuffer(
    redis,
    verdictKeys(keys, txn),
    [txn, keys.ingressChannel(''), options.ttlMs ?? ANSWERED_TTL_MS, ...verdictArgs({ response, ...(options.audit && { audit: options.audit }) })],
  )) as [number, Buffer];
  return { decided: decided === 1, response: stored };
}

export interface DeliverySubscription {
  close(): Promise<void>;
}

/**
 * Subscribes an ingress to its channel. `subscriber` must be a connection dedicated to
 * pub/sub. Malformed messages are reported to `onError` and skipped.
 */
export async function subscribeDeliveries(
  subscriber: Redis,
  keys: RedisKeys,
  ingressId: string,
  onDelivery: (message: DeliveryMessage) => void,
  onError: (error: Error) => void = () => undefined,
): Promise<DeliverySubscription> {
  const channel = keys.ingressChannel(ingressId);
  const listener = (channelName: Buffer, payload: Buffer): void => {
    if (channelName.toString() !== channel) return;
    try {
      onDelivery(decodeDelivery(payload));
    } catch (error) {
      onError(error instanceof ContractError ? error : new ContractError('delivery', String(error)));
    }
  };
  subscriber.on('messageBuffer', listener);
  await subscriber.subscribe(channel);
  return {
    async close() {
      subscriber.off('messageBuffer', listener);
      await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}

/**
 * Stores the Accept and Reject a pending out-of-band decision will end in, already signed for
 * the waiting request, and keeps the transaction alive at least `ttlMs`. Whoever learns the
 * person's decision (results-api) then delivers one of them without re-encoding anything.
 */
export async function prepareVerdicts(
  redis: Redis | Cluster,
  keys: RedisKeys,
  txn: string,
  responses: { accept: Buffer; reject: Buffer },
  ttlMs: number,
): Promise<boolean> {
  return (await prepareScript.run(redis, [keys.txn(txn), keys.txnWaiters(txn)], [responses.accept, responses.reject, ttlMs])) === 1;
}

/** Outcome of delivering a prepared verdict: 'none' when nothing was prepared (gone or unknown). */
export type PreparedDelivery = DeliverResult | { readonly decided: false; readonly response: undefined };

/** Delivers the prepared Accept or Reject of a transaction; first verdict wins, as deliverVerdict. */
export async function deliverPreparedVerdict(
  redis: Redis | Cluster,
  keys: RedisKeys,
  txn: string,
  which: 'accept' | 'reject',
  options: { ttlMs?: number } = {},
): Promise<PreparedDelivery> {
  const [decided, bytes] = (await deliverPreparedScript.runBuffer(
    redis,
    verdictKeys(keys, txn),
    [which, txn, keys.ingressChannel(''), options.ttlMs ?? ANSWERED_TTL_MS],
  )) as [number, Buffer];
  if (decided === -1) return { decided: false, response: undefined };
  return { decided: decided === 1, response: bytes };
}
