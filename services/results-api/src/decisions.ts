// What follows a person's decision: the final RADIUS answer (held requests), metrics and audit.
import type { AuditOutcome } from '@radius-mfa/contracts';
import type { ChallengeRecord, DecisionResult } from '@radius-mfa/mfa';
import { deliverPreparedVerdict } from '@radius-mfa/transactions';
import type { ResultsDependencies } from './dependencies.js';

/** What the HTTP layer answers; `status` mirrors the challenge, `reason` says why when not approved. */
export type SettledDecision =
  | { readonly kind: 'approved' }
  | { readonly kind: 'denied'; readonly reason: 'number-mismatch' | 'user-denied' }
  | { readonly kind: 'fraud' }
  /** Already decided, expired, or decided too late for the waiting request. */
  | { readonly kind: 'conflict'; readonly reason: 'decided' | 'expired' }
  | { readonly kind: 'not-found' };

/** Metric label and audit reason of a fresh decision. */
function decisionLabel(result: Extract<DecisionResult, { challenge: ChallengeRecord }>): string {
  if (result.outcome === 'denied') return result.reason === 'number-mismatch' ? 'number-mismatch' : 'denied';
  return result.outcome === 'conflict' ? 'expired' : result.outcome;
}

function auditOutcome(kind: 'approved' | 'denied' | 'fraud' | 'late'): AuditOutcome {
  return kind === 'approved' ? 'accept' : kind === 'fraud' ? 'fraud' : kind === 'late' ? 'timeout' : 'reject';
}

/**
 * Turns a challenge decision into its consequences. A held request (prompt auto or append) gets
 * the prepared Accept or Reject now through the one verdict path; a `prompt: challenge` request is
 * answered when the NAS comes back with the State, so only the decision is recorded.
 */
export async function settleDecision(deps: ResultsDependencies, result: DecisionResult): Promise<SettledDecision> {
  if (result.outcome === 'not-found') return { kind: 'not-found' };
  if (result.outcome === 'conflict') return { kind: 'conflict', reason: result.reason };

  const { challenge } = result;
  const approved = result.outcome === 'approved';
  let late = false;
  if (challenge.prompt !== 'challenge') {
    const delivered = await deliverPreparedVerdict(deps.redis, deps.keys, challenge.txn, approved ? 'accept' : 'reject');
    // Nothing prepared any more, or an earlier verdict (the ingress's deadline Reject) stands.
    late = !delivered.decided;
  }

  const decidedAt = challenge.decidedAt ?? Date.now();
  const latencyMs = Math.max(0, decidedAt - challenge.createdAt);
  const label = late && approved ? 'expired' : decisionLabel(result);
  deps.metrics.mfaChallenges.inc({ method: challenge.method, outcome: label });
  deps.metrics.mfaAuthDuration.observe({ method: challenge.method, outcome: label }, latencyMs / 1000);
  if (result.outcome === 'fraud') deps.metrics.mfaFraudReports.inc();
  deps.challenges
    .countPendingChallenges()
    .then((count) => deps.metrics.mfaPendingChallenges.set(count))
    .catch(() => undefined);

  const kind = late && approved ? 'late' : result.outcome;
  await deps.audit.write({
    at: decidedAt,
    user: challenge.user,
    client: challenge.client,
    method: challenge.method,
    outcome: auditOutcome(kind),
    reason: late && approved ? 'approved-after-timeout' : result.outcome === 'approved' ? 'approved' : (challenge.reason ?? result.outcome),
    latencyMs,
    txn: challenge.txn,
    ...(challenge.callingStationId !== '' && { callingStationId: challenge.callingStationId }),
  });

  // An approval that came after the NAS was answered cannot let anyone in: say so (409 expired).
  if (late && approved) return { kind: 'conflict', reason: 'expired' };
  if (result.outcome === 'denied') return { kind: 'denied', reason: result.reason };
  return { kind: result.outcome };
}
