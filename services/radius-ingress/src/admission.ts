// The front door, in order (issue 4): client, the unverified-packet bound, strict decode and the
// drop rules of PROTOCOL-CASES, the client's rate limit, one atomic Redis admission, and then the
// reject rules. Nothing reaches Redis before a packet is known to come from a configured client
// with a valid authenticator.
import {
  Code,
  MAX_PACKET_LENGTH,
  RadiusProtocolError,
  buildResponse,
  decodePacket,
  replyMessageAttributes,
  verifyRequest,
  type RadiusPacket,
} from '@radius-mfa/radius-protocol';
import type { AuthJobV1, RedisKeys } from '@radius-mfa/contracts';
import type { Logger, Metrics, RedisClient } from '@radius-mfa/runtime';
import type { Sealer } from '@radius-mfa/mfa';
import { admitTransaction, deliverVerdict, isTransactionSettled, transactionId } from '@radius-mfa/transactions';
import { canonicalAddress, type ClientTable, type ResolvedClient } from './client-table.js';
import type { PendingEntry, PendingTransactions, ReplyTarget } from './pending.js';
import { createKeyedRateLimiter, unverifiedLimit, type KeyedRateLimiter, type TokenBucket } from './rate-limit.js';
import type { StatusServerResponder } from './status-server.js';
import type { IngressDropReason } from './drop-reasons.js';
import { findRequestProblem } from './request-rules.js';
import { recordAccounting } from './accounting.js';
import { TIMEOUT_REPLY_MESSAGE, deadlineOf } from './deadline.js';

/** What a socket serves: UDP authentication or accounting ports, or RadSec, which carries both (RFC 6614 §2.1). */
export type PortKind = 'auth' | 'accounting' | 'radsec';

export interface IncomingPacket {
  /** The datagram or RadSec frame; kept as the request, so it must not be reused by the caller. */
  readonly data: Buffer;
  readonly address: string;
  readonly port: number;
  readonly portKind: PortKind;
  readonly target: ReplyTarget;
  /** RadSec: the client chosen for the connection, with the secret "radsec" (RFC 6614 §2.3). */
  readonly client?: ResolvedClient;
}

export type AdmissionOutcome =
  | { readonly kind: 'dropped'; readonly reason: IngressDropReason }
  /** Answered now (Status-Server, cached response) or held until its verdict. */
  | { readonly kind: 'accepted' };

export interface AdmissionOptions {
  readonly clients: ClientTable;
  /** The client's rateLimit, charged only for verified requests, so forged packets cannot drain it. */
  readonly rateLimiter: KeyedRateLimiter;
  /** Unknown sources are logged at most at this rate (PROTOCOL-CASES 6). */
  readonly unknownClientLog: TokenBucket;
  readonly statusServer: StatusServerResponder;
  readonly pending: PendingTransactions;
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  readonly ingressId: string;
  readonly sealer: Sealer;
  /** Adds the auth job; adding one that exists already (same transaction) is a no-op. */
  readonly enqueue: (job: AuthJobV1) => Promise<void>;
  /** Whether the transaction's auth job exists (waiting, active, or failed and kept). */
  readonly jobExists: (txn: string) => Promise<boolean>;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly isDraining: () => boolean;
  /** Before the client's timeoutSeconds, by this much, the ingress answers Reject. */
  readonly deadlineMarginMs: number;
  /** How long a pending transaction lives in Redis beyond the client's timeout. */
  readonly transactionTtlMarginMs: number;
}

export interface Admission {
  admit(incoming: IncomingPacket): Promise<AdmissionOutcome>;
}

/** An ingress enqueues within milliseconds of admitting; a transaction this old with neither job nor verdict lost its job. */
const LOST_JOB_AFTER_MS = 2_000;

const TYPE_LABELS: Partial<Record<number, string>> = {
  [Code.AccessRequest]: 'access-request',
  [Code.StatusServer]: 'status-server',
  [Code.AccountingRequest]: 'accounting-request',
};

/** RFC 2865 §3, RFC 5176: which codes a port serves; the rest is dropped by reason. */
function codeProblem(code: number, portKind: PortKind): IngressDropReason | undefined {
  if (code === Code.StatusServer) return undefined;
  if (code === Code.AccessRequest && portKind !== 'accounting') return undefined;
  if (code === Code.AccountingRequest && portKind !== 'auth') return undefined;
  if (code === Code.AccessRequest || code === Code.AccountingRequest || code === Code.CoARequest || code === Code.DisconnectRequest) {
    return 'wrong_port';
  }
  return 'unexpected_code';
}

/** Header, Message-Authenticator and the longest Reply-Message the ingress itself adds. */
const OWN_RESPONSE_BYTES = 20 + 18 + 2 + Buffer.byteLength(TIMEOUT_REPLY_MESSAGE) + 64;

/** PROTOCOL-CASES 27: Proxy-States are echoed in full; if that cannot fit, drop now rather than never answer. */
function proxyStateFits(packet: RadiusPacket): boolean {
  let echoed = 0;
  for (const attribute of packet.attributes) if (attribute.type === 33) echoed += 2 + attribute.value.length;
  return OWN_RESPONSE_BYTES + echoed <= MAX_PACKET_LENGTH;
}

export function createAdmission(options: AdmissionOptions): Admission {
  const { clients, pending, redis, keys, metrics, logger } = options;
  // Charged before decode and verify: bounds the work forged packets from a client's address can cause.
  const unverifiedLimiter = createKeyedRateLimiter((name) => unverifiedLimit(clients.byName(name)!.config.rateLimit));
  const dropped = (reason: IngressDropReason): AdmissionOutcome => {
    metrics.radiusPacketsDropped.inc({ reason });
    return { kind: 'dropped', reason };
  };

  function authJob(entry: PendingEntry, packet: RadiusPacket, incoming: IncomingPacket, createdAt: number): AuthJobV1 {
    const { client, txn } = entry;
    return {
      kind: 'auth.v1',
      txn,
      client: client.config.name,
      ingressId: options.ingressId,
      receivedAt: createdAt,
      deadline: deadlineOf(createdAt, client.config.timeoutSeconds, options.deadlineMarginMs),
      source: { address: incoming.address, port: incoming.port },
      // The worker unseals with aad = txn: a sealed request cannot be replayed under another transaction.
      sealedRequest: options.sealer.seal(packet.raw, txn).toString('base64'),
      // RFC 6614 §2.3: over RadSec the worker signs with "radsec", not the client's secret.
      transport: incoming.portKind === 'radsec' ? 'radsec' : 'udp',
    };
  }

  /**
   * Admission and enqueue are two round trips: an ingress that dies (or loses Redis) between them
   * leaves a pending transaction no worker will ever decide. The NAS retransmits; whichever ingress
   * joins then enqueues the job again when there is neither a job nor a verdict (the job id makes
   * a concurrent add of the same transaction a no-op).
   */
  async function requeueIfLost(entry: PendingEntry, packet: RadiusPacket, incoming: IncomingPacket, createdAt: number): Promise<void> {
    try {
      // Both reads leave in one batch: a retransmission waits one round trip, not two.
      const [jobExists, settled] = await Promise.all([options.jobExists(entry.txn), isTransactionSettled(redis, keys, entry.txn)]);
      if (jobExists || settled) return;
      await options.enqueue(authJob(entry, packet, incoming, createdAt));
      logger.warn({ client: entry.client.config.name, txn: entry.txn }, 'joined a transaction whose job was lost: enqueued it again');
    } catch (error) {
      // Still waiting: the deadline answers the NAS, and the next retransmission tries again.
      logger.warn({ err: error, client: entry.client.config.name, txn: entry.txn }, 'could not check or re-enqueue a joined transaction');
    }
  }

  async function admitToRedis(entry: PendingEntry, packet: RadiusPacket, incoming: IncomingPacket): Promise<AdmissionOutcome> {
    const { client, txn } = entry;
    const timeoutSeconds = client.config.timeoutSeconds;
    let admission;
    try {
      admission = await admitTransaction(redis, keys, {
        txn,
        ingressId: options.ingressId,
        ttlMs: timeoutSeconds * 1000 + options.transactionTtlMarginMs,
      });
    } catch (error) {
      logger.warn({ err: error, client: client.config.name }, 'admission failed: Redis unavailable');
      pending.forget(entry);
      return dropped('redis_unavailable');
    }
    if (admission.status === 'answered') {
      // RFC 5080 §2.2.2: a retransmission of an answered request gets the identical bytes.
      metrics.radiusDuplicates.inc({ outcome: 'cached' });
      pending.answer(txn, admission.response);
      return { kind: 'accepted' };
    }
    pending.scheduleDeadline(entry, deadlineOf(admission.createdAt, timeoutSeconds, options.deadlineMarginMs));
    if (admission.status === 'pending') {
      // Another ingress (or an earlier copy) holds it: wait for the verdict on our channel.
      metrics.radiusDuplicates.inc({ outcome: 'joined' });
      if (packet.code === Code.AccessRequest && Date.now() - admission.createdAt >= LOST_JOB_AFTER_MS && !findRequestProblem(packet)) {
        await requeueIfLost(entry, packet, incoming, admission.createdAt);
      }
      return { kind: 'accepted' };
    }
    try {
      if (packet.code === Code.AccountingRequest) {
        pending.answer(txn, await recordAccounting(redis, keys, packet, client, txn));
        return { kind: 'accepted' };
      }
      // The reject rules (PROTOCOL-CASES 14, 16, 17, 19, 20, 24) run after admission so the Reject is the
      // transaction's verdict: cached and published, every copy on every pod gets the same bytes even
      // from a pod whose version or rules differ (a rolling upgrade), and no job is enqueued for it.
      const problem = findRequestProblem(packet);
      if (problem) {
        const reject = buildResponse(packet, Code.AccessReject, replyMessageAttributes(`Request rejected: ${problem}`), client.secret);
        pending.answer(txn, (await deliverVerdict(redis, keys, txn, reject)).response);
        return { kind: 'accepted' };
      }
      await options.enqueue(authJob(entry, packet, incoming, admission.createdAt));
      return { kind: 'accepted' };
    } catch (error) {
      // The transaction exists in Redis; its deadline still answers the NAS (Access-Request) or
      // the NAS retries (accounting, which is only answered once stored).
      logger.warn({ err: error, client: client.config.name, txn }, 'admitted transaction not handed on');
      if (packet.code === Code.AccountingRequest) pending.forget(entry);
      return dropped('redis_unavailable');
    }
  }

  return {
    async admit(incoming) {
      if (options.isDraining()) return dropped('draining');
      const client = incoming.client ?? clients.lookup(incoming.address);
      if (!client) {
        if (options.unknownClientLog.take()) logger.warn({ source: incoming.address }, 'request from an address of no configured client');
        return dropped('unknown_client');
      }
      if (!unverifiedLimiter.take(client.config.name)) return dropped('unverified_rate_limited');
      let packet: RadiusPacket;
      try {
        packet = decodePacket(incoming.data);
        const wrong = codeProblem(packet.code, incoming.portKind);
        if (wrong) return dropped(wrong);
        verifyRequest(packet, { secret: client.secret, requireMessageAuthenticator: client.config.requireMessageAuthenticator });
      } catch (error) {
        if (error instanceof RadiusProtocolError) return dropped(error.reason);
        throw error;
      }
      const clientName = client.config.name;
      if (!options.rateLimiter.take(clientName)) return dropped('rate_limited');
      metrics.radiusRequestsReceived.inc({ client: clientName, type: TYPE_LABELS[packet.code] ?? 'other' });

      if (packet.code === Code.StatusServer) {
        const outcome = await options.statusServer.respond(packet, client, incoming.portKind);
        if ('drop' in outcome) return dropped(outcome.drop);
        incoming.target.send(outcome.answer);
        metrics.radiusResponsesSent.inc({ client: clientName, code: responseCodeLabel(outcome.answer) });
        return { kind: 'accepted' };
      }
      if (!proxyStateFits(packet)) return dropped('response_too_large');

      // A v4 peer seen through a dual-stack socket is the same source as seen through a v4 one.
      const txn = transactionId(clientName, canonicalAddress(incoming.address), incoming.port, packet.identifier, packet.authenticator);
      const held = pending.get(txn);
      if (held) {
        // A retransmission to this pod: its first copy's admission already joined us to the waiters.
        pending.join(held, incoming.target);
        metrics.radiusDuplicates.inc({ outcome: 'joined' });
        return { kind: 'accepted' };
      }
      if (pending.full) return dropped('overload');
      const entry = pending.add(txn, client, packet, incoming.target, performance.now());
      return admitToRedis(entry, packet, incoming);
    },
  };
}

const CODE_LABELS: Partial<Record<number, string>> = {
  [Code.AccessAccept]: 'access-accept',
  [Code.AccessReject]: 'access-reject',
  [Code.AccessChallenge]: 'access-challenge',
  [Code.AccountingResponse]: 'accounting-response',
};

/** The `code` label of a response: its first byte, named. */
export function responseCodeLabel(response: Buffer): string {
  return CODE_LABELS[response[0] ?? 0] ?? 'other';
}
