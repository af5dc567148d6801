/** One audit event per decision. Never holds a password, code, secret or token. */
export type AuditOutcome = 'accept' | 'reject' | 'challenge' | 'fail-open' | 'fraud' | 'timeout' | 'locked' | 'accounting';

export interface AuditEvent {
  readonly at: number;
  readonly user: string;
  readonly client: string;
  readonly method: string;
  readonly outcome: AuditOutcome;
  readonly reason: string;
  readonly latencyMs?: number;
  readonly txn?: string;
  readonly callingStationId?: string;
}

/** The audit stream keeps about this many events: every writer trims with `XADD key MAXLEN ~ AUDIT_STREAM_LENGTH`. */
export const AUDIT_STREAM_LENGTH = 100_000;

/** Stream fields for XADD: flat string pairs. */
export function auditFields(event: AuditEvent): string[] {
  const fields: string[] = [];
  for (const [key, value] of Object.entries(event)) {
    if (value !== undefined) fields.push(key, String(value));
  }
  return fields;
}
