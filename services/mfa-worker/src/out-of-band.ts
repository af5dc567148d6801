// What push and the approval call share: one challenge per transaction, found again by a retried
// job, and the request facts results-api needs to answer a held request.
import type { ChallengeRecord, ChallengeRequest, ChallengeStore } from '@radius-mfa/mfa';
import { Attr, findAttributes, type RadiusPacket } from '@radius-mfa/radius-protocol';

export type EarlierChallenge =
  | { readonly status: 'none' }
  | { readonly status: 'found'; readonly challenge: ChallengeRecord }
  /** Closed before its time, undecided: the earlier attempt's notification or call failed. */
  | { readonly status: 'failed'; readonly challengeId: string };

/** The challenge an earlier attempt of this transaction created, if any. */
export async function earlierChallenge(challenges: ChallengeStore, txn: string): Promise<EarlierChallenge> {
  const existingId = await challenges.challengeIdForTxn(txn);
  const existing = existingId === undefined ? undefined : await challenges.getChallenge(existingId);
  if (!existing) return { status: 'none' };
  if (existing.status === 'expired' && existing.decidedAt !== undefined && existing.decidedAt < existing.expiresAt) return { status: 'failed', challengeId: existing.challengeId };
  return { status: 'found', challenge: existing };
}

/** Identifier, authenticator and Proxy-States: enough to build the final response later. */
export function challengeRequestOf(packet: RadiusPacket): ChallengeRequest {
  return {
    identifier: packet.identifier,
    authenticator: packet.authenticator.toString('hex'),
    proxyStates: findAttributes(packet, Attr.ProxyState).map((value) => value.toString('hex')),
  };
}
