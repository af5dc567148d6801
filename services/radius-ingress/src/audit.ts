// Audit events the front door decides itself: accounting records and deadline rejects.
import { AUDIT_STREAM_LENGTH, auditFields, type AuditEvent, type RedisKeys } from '@radius-mfa/contracts';
import type { RedisClient } from '@radius-mfa/runtime';

export async function appendAuditEvent(redis: RedisClient, keys: RedisKeys, event: AuditEvent): Promise<void> {
  await redis.xadd(keys.audit(), 'MAXLEN', '~', AUDIT_STREAM_LENGTH, '*', ...auditFields(event));
}

/** A User-Name as text safe to store and log: control characters escaped, invalid UTF-8 as U+FFFD. */
export function printableUserName(value: Buffer | undefined): string {
  if (!value) return '';
  let text = '';
  for (const char of value.toString('utf8')) {
    const code = char.codePointAt(0)!;
    text += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char;
  }
  return text;
}
