// The NAS must never sit on a silent server: before its timeout, the transaction ends in an
// Access-Reject that says why. It goes through deliverVerdict (first verdict wins), so a late
// approval cannot produce a second, different answer, and every waiting ingress sends the same bytes.
import { Redis } from 'ioredis';
import { Attr, Code, buildResponse, findAttribute, replyMessageAttributes } from '@radius-mfa/radius-protocol';
import type { RedisKeys } from '@radius-mfa/contracts';
import type { Logger, RedisClient } from '@radius-mfa/runtime';
import { createChallengeStore } from '@radius-mfa/mfa';
import { deliverVerdict } from '@radius-mfa/transactions';
import type { PendingEntry, PendingTransactions } from './pending.js';
import { appendAuditEvent, printableUserName } from './audit.js';

export const TIMEOUT_REPLY_MESSAGE = 'MFA timed out: no answer in time';

/** When the ingress gives up on a transaction first received at `createdAt` (epoch ms). */
export function deadlineOf(createdAt: number, timeoutSeconds: number, marginMs: number): number {
  return createdAt + timeoutSeconds * 1000 - marginMs;
}

export interface DeadlineOptions {
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  readonly pending: PendingTransactions;
  readonly logger: Logger;
}

export function createDeadlineHandler(options: DeadlineOptions): (entry: PendingEntry) => void {
  const { redis, keys, pending, logger } = options;
  const challenges = redis instanceof Redis ? createChallengeStore({ redis, keys }) : undefined;

  async function closeChallenge(entry: PendingEntry): Promise<void> {
    const challengeId = await challenges?.challengeIdForTxn(entry.txn);
    if (challengeId) await challenges?.expireChallenge(challengeId);
    await appendAuditEvent(redis, keys, {
      at: Date.now(),
      user: printableUserName(findAttribute(entry.request, Attr.UserName)),
      client: entry.client.config.name,
      method: 'none',
      outcome: 'timeout',
      reason: 'no answer before the client timeout',
      txn: entry.txn,
    });
  }

  async function rejectAtDeadline(entry: PendingEntry): Promise<void> {
    const reject = buildResponse(entry.request, Code.AccessReject, replyMessageAttributes(TIMEOUT_REPLY_MESSAGE), entry.client.secret);
    try {
      const result = await deliverVerdict(redis, keys, entry.txn, reject);
      // The channel brings the same bytes; answering from the result does not depend on it.
      pending.answer(entry.txn, result.response);
      if (result.decided) await closeChallenge(entry);
    } catch (error) {
      // Redis is gone: no one else can answer either. A Reject now beats silence.
      logger.warn({ err: error, txn: entry.txn }, 'deadline verdict not stored; answering locally');
      pending.answer(entry.txn, reject);
    }
  }

  return (entry) => {
    // Accounting has no Reject: a request whose record another pod never stored is left to the NAS's retry.
    if (entry.request.code !== Code.AccessRequest) {
      pending.forget(entry);
      return;
    }
    rejectAtDeadline(entry).catch((error: unknown) => logger.error({ err: error, txn: entry.txn }, 'deadline handling failed'));
  };
}
