// What the flow decides for one Access-Request, before it is signed and delivered.
import type { AuditEvent, AuditOutcome } from '@radius-mfa/contracts';
import type { RadiusAttribute } from '@radius-mfa/radius-protocol';

/** What goes into the audit event and the metrics: never a password, code or secret. */
export interface DecisionRecord {
  /** Normalised user name ('' when the request had none usable). */
  readonly user: string;
  /** `totp`, `push`, `sms`, `none` (bypass, unenrolled), or `first-factor`. */
  readonly method: string;
  readonly outcome: AuditOutcome;
  /** Short machine-readable why, e.g. `totp-accepted`, `bypass-group`, `state-replayed`. */
  readonly reason: string;
  /** Epoch ms the sign-in began (the first Access-Request of a challenge exchange). */
  readonly startedAt?: number;
}

export type Decision =
  | { readonly kind: 'accept'; readonly attributes: readonly RadiusAttribute[]; readonly message?: string; readonly record: DecisionRecord }
  | { readonly kind: 'reject'; readonly message?: string; readonly record: DecisionRecord }
  | { readonly kind: 'challenge'; readonly state: Buffer; readonly message: string; readonly record: DecisionRecord }
  /**
   * Out-of-band with nothing to show (prompt auto, append `,push`): the Accept and Reject were
   * prepared for the transaction before the push went out, and whoever learns the person's
   * answer (results-api) delivers one. Nothing more to send now.
   */
  | { readonly kind: 'held'; readonly record: DecisionRecord }
  /** The check delivered its verdict itself (TOTP: check and verdict in one script); `audit` was written with it. */
  | { readonly kind: 'delivered'; readonly response: Buffer; readonly record: DecisionRecord; readonly audit: AuditEvent }
  /** The transaction had its verdict before the check ran (a duplicate or retried job): nothing was done. */
  | { readonly kind: 'answered' };

/** An Accept or a Reject: a decision that ends the sign-in. */
export type FinalDecision = Extract<Decision, { kind: 'accept' | 'reject' }>;

/** A final decision signed ahead for a check that delivers it itself: the response bytes and the audit event. */
export interface SignedVerdict {
  readonly response: Buffer;
  readonly audit: AuditEvent;
}

export function accept(record: DecisionRecord, attributes: readonly RadiusAttribute[], message?: string): FinalDecision {
  return { kind: 'accept', attributes, record, ...(message !== undefined && { message }) };
}

export function reject(record: DecisionRecord, message?: string): FinalDecision {
  return { kind: 'reject', record, ...(message !== undefined && { message }) };
}
