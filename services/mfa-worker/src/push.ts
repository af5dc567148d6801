// Push approval: at most one push per transaction, whatever retries or duplicate jobs happen.
// createChallenge is atomic per txn (SET NX): only the call that created the challenge notifies.
import { approvalUrl } from '@radius-mfa/contracts';
import {
  createNotifier,
  generateMatchNumber,
  type ChallengeRecord,
  type ChallengeStore,
  type PushDecision,
  type PushLimiter,
  type PushNotifier,
  type PushNotifierConfig,
  type ProviderFailure,
} from '@radius-mfa/mfa';
import type { RadiusPacket } from '@radius-mfa/radius-protocol';
import { challengeRequestOf, closeUndelivered, earlierChallenge } from './out-of-band.js';

export interface PushSettings {
  readonly challenges: ChallengeStore;
  readonly limiter: PushLimiter;
  /** `mfa.push.notifier`, built. */
  readonly notifier: PushNotifier;
  /** `mfa.push.notifier` as configured: its secrets apply to a user's override of the same type. */
  readonly notifierConfig: PushNotifierConfig;
  readonly timeoutMs: number;
  readonly numberMatching: boolean;
  /** `api.publicUrl`: base of the approve/deny links. */
  readonly publicUrl: string;
}

export interface PushRequest {
  readonly txn: string;
  readonly user: string;
  readonly client: string;
  readonly callingStationId: string;
  readonly prompt: 'auto' | 'challenge' | 'append';
  /** Number matching only where the number can be shown (prompt challenge). */
  readonly showNumber: boolean;
  readonly request: RadiusPacket;
  readonly signal: AbortSignal;
  /** The user's own notifier (admin API `PUT /v1/users/{name}/push`), where pushes go instead. */
  readonly userNotifier?: PushNotifierConfig;
  /** The user's own ntfy topic from their push enrollment; never logged. */
  readonly ntfyTopic?: string;
}

/**
 * The notifier for one push: the user's override when set. An override holds where pushes go and
 * its own timeout (the configured one otherwise); the signing secret or token of the configured
 * notifier of the same type still applies.
 */
export function notifierFor(settings: Pick<PushSettings, 'notifier' | 'notifierConfig'>, override: PushNotifierConfig | undefined): PushNotifier {
  if (!override) return settings.notifier;
  const base = settings.notifierConfig;
  const timeoutSeconds = override.timeoutSeconds ?? base.timeoutSeconds;
  const timeout = timeoutSeconds === undefined ? {} : { timeoutSeconds };
  if (override.type === 'webhook') {
    return createNotifier({ type: 'webhook', url: override.url, ...timeout, ...(base.type === 'webhook' && base.signingSecret !== undefined && { signingSecret: base.signingSecret }) });
  }
  // No topic from the override: the user's own one comes with each push (PushSendHints.ntfyTopic).
  return createNotifier({
    type: 'ntfy',
    url: override.url,
    ...timeout,
    ...(base.type === 'ntfy' && base.token !== undefined && { token: base.token }),
  });
}

export type PushStart =
  /** Sent now, or by another attempt of this transaction (nothing sent now; counted once: flow.ts). */
  | { readonly status: 'started'; readonly challengeId: string; readonly numberToMatch?: number; readonly expiresAt: number }
  | { readonly status: 'refused'; readonly decision: Exclude<PushDecision, 'allowed'>; readonly retryAfterMs?: number }
  /**
   * The notifier failed, now or for an earlier attempt (nothing tried now): an outage
   * goes to the client's failMode, a refusal rejects. The challenge is closed, never re-sent.
   */
  | { readonly status: 'undelivered'; readonly challengeId: string; readonly failure: ProviderFailure };

function started(challenge: Pick<ChallengeRecord, 'challengeId' | 'numberToMatch' | 'expiresAt'>): PushStart {
  return {
    status: 'started',
    challengeId: challenge.challengeId,
    expiresAt: challenge.expiresAt,
    ...(challenge.numberToMatch !== undefined && { numberToMatch: challenge.numberToMatch }),
  };
}

export async function startPush(settings: PushSettings, push: PushRequest): Promise<PushStart> {
  const { challenges } = settings;
  // A retried job finds the challenge of its first attempt: same number, no new push, no limit spent.
  const earlier = await earlierChallenge(challenges, push.txn);
  // Closed before its time: the first attempt's notifier failed (see below).
  if (earlier.status === 'failed') return { status: 'undelivered', challengeId: earlier.challengeId, failure: earlier.failure };
  if (earlier.status === 'found') return started(earlier.challenge);

  const limit = await settings.limiter.checkPushAllowed(push.user);
  if (limit.decision !== 'allowed') {
    return { status: 'refused', decision: limit.decision, ...(limit.retryAfterMs !== undefined && { retryAfterMs: limit.retryAfterMs }) };
  }
  const numberToMatch = settings.numberMatching && push.showNumber ? generateMatchNumber() : undefined;
  const expiresAt = Date.now() + settings.timeoutMs;
  const created = await challenges.createChallenge({
    user: push.user,
    client: push.client,
    method: 'push',
    txn: push.txn,
    callingStationId: push.callingStationId,
    expiresAt,
    prompt: push.prompt,
    request: challengeRequestOf(push.request),
    ...(numberToMatch !== undefined && { numberToMatch }),
  });
  if (!created.created) {
    // Another job of this transaction won the race and notifies; take its challenge.
    const winner = await challenges.getChallenge(created.challengeId);
    return winner ? started(winner) : { status: 'refused', decision: 'rate-limited' };
  }
  try {
    // The payload never holds the number (CONTRACT.md): it is shown on the sign-in side only.
    await notifierFor(settings, push.userNotifier).send(
      {
        challengeId: created.challengeId,
        user: push.user,
        client: push.client,
        callingStationId: push.callingStationId,
        approveUrl: approvalUrl(settings.publicUrl, 'approve', created.approveToken),
        denyUrl: approvalUrl(settings.publicUrl, 'deny', created.denyToken),
        expiresAt: new Date(expiresAt).toISOString(),
      },
      push.signal,
      { numberMatching: numberToMatch !== undefined, ...(push.ntfyTopic !== undefined && { ntfyTopic: push.ntfyTopic }) },
    );
  } catch (error) {
    // Nobody can approve a push that never arrived: close it so the person is not asked later.
    return { status: 'undelivered', challengeId: created.challengeId, failure: await closeUndelivered(challenges, created.challengeId, error) };
  }
  return started({ challengeId: created.challengeId, expiresAt, ...(numberToMatch !== undefined && { numberToMatch }) });
}

/** Where a push challenge stands when the NAS comes back with the State (prompt challenge). */
export type PushPoll =
  | { readonly status: 'approved' }
  | { readonly status: 'pending'; readonly numberToMatch?: number }
  | { readonly status: 'denied' | 'fraud' | 'expired' | 'number-mismatch' | 'unknown' };

export async function pollPush(challenges: ChallengeStore, challengeId: string, now: number): Promise<PushPoll> {
  const challenge = await challenges.getChallenge(challengeId);
  if (!challenge) return { status: 'unknown' };
  switch (challenge.status) {
    case 'approved':
      return { status: 'approved' };
    case 'pending':
      if (now >= challenge.expiresAt) {
        await challenges.expireChallenge(challengeId);
        return { status: 'expired' };
      }
      return { status: 'pending', ...(challenge.numberToMatch !== undefined && { numberToMatch: challenge.numberToMatch }) };
    case 'denied':
      return { status: challenge.reason === 'number-mismatch' ? 'number-mismatch' : 'denied' };
    case 'fraud':
      return { status: 'fraud' };
    case 'expired':
      return { status: 'expired' };
  }
}
