// Accounting (RFC 2866): each verified Accounting-Request becomes one audit event; the
// Accounting-Response goes out only once the record is stored (RFC 2866 §2, PROTOCOL-CASES 37).
import { Attr, Code, buildResponse, findAttribute, type RadiusPacket } from '@radius-mfa/radius-protocol';
import type { AuditEvent, RedisKeys } from '@radius-mfa/contracts';
import type { RedisClient } from '@radius-mfa/runtime';
import { deliverVerdict } from '@radius-mfa/transactions';
import type { ResolvedClient } from './client-table.js';
import { appendAuditEvent, printableUserName } from './audit.js';

/** RFC 2866 §5.1 Acct-Status-Type values, as the audit `reason`. */
const STATUS_TYPES: Record<number, string> = {
  1: 'start',
  2: 'stop',
  3: 'interim-update',
  7: 'accounting-on',
  8: 'accounting-off',
};

export function accountingAuditEvent(packet: RadiusPacket, client: ResolvedClient, txn: string, at: number): AuditEvent {
  const status = findAttribute(packet, Attr.AcctStatusType);
  const statusType = status?.length === 4 ? status.readUInt32BE(0) : undefined;
  const callingStationId = findAttribute(packet, Attr.CallingStationId);
  return {
    at,
    user: printableUserName(findAttribute(packet, Attr.UserName)),
    client: client.config.name,
    method: 'accounting',
    outcome: 'accounting',
    reason: statusType === undefined ? 'unknown' : (STATUS_TYPES[statusType] ?? `status-${statusType}`),
    txn,
    ...(callingStationId ? { callingStationId: printableUserName(callingStationId) } : {}),
  };
}

/**
 * Stores the record, then caches and publishes the Accounting-Response through the one verdict
 * path, so a retransmission anywhere gets the same bytes and is not recorded twice.
 */
export async function recordAccounting(redis: RedisClient, keys: RedisKeys, packet: RadiusPacket, client: ResolvedClient, txn: string): Promise<Buffer> {
  await appendAuditEvent(redis, keys, accountingAuditEvent(packet, client, txn, Date.now()));
  const response = buildResponse(packet, Code.AccountingResponse, [], client.secret);
  return (await deliverVerdict(redis, keys, txn, response)).response;
}
