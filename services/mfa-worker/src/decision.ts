// What the flow decides for one Access-Request, before it is signed and delivered.
import type { AuditOutcome } from '@radius-mfa/contracts';
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
  | { readonly kind: 'held'; readonly record: DecisionRecord };

export function accept(record: DecisionRecord, attributes: readonly RadiusAttribute[], message?: string): Decision {
  return { kind: 'accept', attributes, record, ...(message !== undefined && { message }) };
}

export function reject(record: DecisionRecord, message?: string): Decision {
  return { kind: 'reject', record, ...(message !== undefined && { message }) };
}
