// What push and the approval call share: one challenge per transaction, found again by a retried
// job, and the request facts results-api needs to answer a held request.
import { providerFailure, type ChallengeRecord, type ChallengeRequest, type ChallengeStore, type ProviderFailure, type UndeliveredReason } from '@radius-mfa/mfa';
import { Attr, findAttributes, type RadiusPacket } from '@radius-mfa/radius-protocol';

export type EarlierChallenge =
  | { readonly status: 'none' }
  | { readonly status: 'found'; readonly challenge: ChallengeRecord }
  /** Closed before its time, undecided: the earlier attempt's notification or call failed, as `failure` says. */
  | { readonly status: 'failed'; readonly challengeId: string; readonly failure: ProviderFailure };

/** The challenge an earlier attempt of this transaction created, if any. */
export async function earlierChallenge(challenges: ChallengeStore, txn: string): Promise<EarlierChallenge> {
  const existingId = await challenges.challengeIdForTxn(txn);
  const existing = existingId === undefined ? undefined : await challenges.getChallenge(existingId);
  if (!existing) return { status: 'none' };
  if (existing.status === 'expired' && existing.decidedAt !== undefined && existing.decidedAt < existing.expiresAt) {
    // Only a recorded outage stays an outage on retry; anything else (a refusal, no record) rejects.
    const error = new Error('the push or call of an earlier attempt could not go out');
    const failure: ProviderFailure = existing.reason === 'undelivered-unreachable' ? { status: 'unreachable', error } : { status: 'refused', reason: 'earlier-attempt', error };
    return { status: 'failed', challengeId: existing.challengeId, failure };
  }
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

/** Closes the challenge whose push or call did not go out (nobody can answer it), recording why for a retried job. */
export async function closeUndelivered(challenges: ChallengeStore, challengeId: string, error: unknown): Promise<ProviderFailure> {
  const failure = providerFailure(error);
  const reason: UndeliveredReason = failure.status === 'unreachable' ? 'undelivered-unreachable' : 'undelivered-refused';
  await challenges.expireChallenge(challengeId, reason).catch(() => undefined);
  return failure;
}
