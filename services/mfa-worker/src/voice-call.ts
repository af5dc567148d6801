// Voice approval through ACS Call Automation: the person answers and presses # (results-api
// receives the signed callback and decides the challenge). One call per transaction, as with
// push: createChallenge is atomic per txn, and only the call that created the challenge dials.
import type { AcsVoiceApprover } from '@radius-mfa/directory';
import type { ChallengeStore, ProviderFailure, PushDecision, PushLimiter } from '@radius-mfa/mfa';
import type { RadiusPacket } from '@radius-mfa/radius-protocol';
import { challengeRequestOf, closeUndelivered, earlierChallenge } from './out-of-band.js';

export interface VoiceCallSettings {
  readonly challenges: ChallengeStore;
  readonly approver: Pick<AcsVoiceApprover, 'startCall'>;
  /**
   * The per-user budget of out-of-band requests, shared with push (`mfa.push.limits`): a phone
   * rung again and again is the same fatigue attack as a push storm, and denials on the call
   * count towards `suppressAfterDenials` too.
   */
  readonly limiter: PushLimiter;
  /** How long the call may be answered (`mfa.voice.ttlSeconds`). */
  readonly timeoutMs: number;
}

export interface VoiceCallRequest {
  readonly txn: string;
  readonly user: string;
  readonly phone: string;
  readonly client: string;
  readonly callingStationId: string;
  readonly prompt: 'auto' | 'challenge' | 'append';
  readonly request: RadiusPacket;
  readonly signal: AbortSignal;
}

export type VoiceCallStart =
  /** Placed now, or by another attempt of this transaction (nobody dialled now; counted once: flow.ts). */
  | { readonly status: 'started'; readonly challengeId: string; readonly expiresAt: number }
  | { readonly status: 'refused'; readonly decision: Exclude<PushDecision, 'allowed'>; readonly retryAfterMs?: number }
  /**
   * ACS could not place the call, now or for another attempt (nobody dialled now): an
   * outage goes to the client's failMode, a refusal rejects. The challenge is closed, never re-dialled.
   */
  | { readonly status: 'undelivered'; readonly challengeId: string; readonly failure: ProviderFailure };

export async function startVoiceCall(settings: VoiceCallSettings, call: VoiceCallRequest): Promise<VoiceCallStart> {
  const { challenges } = settings;
  // A retried job finds its first attempt's call: nobody is rung twice for one sign-in.
  const earlier = await earlierChallenge(challenges, call.txn);
  if (earlier.status === 'failed') return { status: 'undelivered', challengeId: earlier.challengeId, failure: earlier.failure };
  if (earlier.status === 'found') return { status: 'started', challengeId: earlier.challenge.challengeId, expiresAt: earlier.challenge.expiresAt };
  const limit = await settings.limiter.checkPushAllowed(call.user);
  if (limit.decision !== 'allowed') {
    return { status: 'refused', decision: limit.decision, ...(limit.retryAfterMs !== undefined && { retryAfterMs: limit.retryAfterMs }) };
  }
  const expiresAt = Date.now() + settings.timeoutMs;
  const created = await challenges.createChallenge({
    user: call.user,
    client: call.client,
    method: 'voice',
    txn: call.txn,
    callingStationId: call.callingStationId,
    expiresAt,
    prompt: call.prompt,
    request: challengeRequestOf(call.request),
  });
  if (!created.created) {
    const winner = await challenges.getChallenge(created.challengeId);
    return winner
      ? { status: 'started', challengeId: winner.challengeId, expiresAt: winner.expiresAt }
      : { status: 'undelivered', challengeId: created.challengeId, failure: { status: 'refused', reason: 'concurrent-attempt', error: new Error('the call of a concurrent attempt vanished') } };
  }
  try {
    await settings.approver.startCall(created.challengeId, { user: call.user, phone: call.phone }, call.signal);
  } catch (error) {
    return { status: 'undelivered', challengeId: created.challengeId, failure: await closeUndelivered(challenges, created.challengeId, error) };
  }
  return { status: 'started', challengeId: created.challengeId, expiresAt };
}
