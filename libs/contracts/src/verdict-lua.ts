import { AUDIT_STREAM_LENGTH, auditFields, type AuditEvent } from './audit.js';
import type { RedisKeys } from './keys.js';

/** A signed response for a transaction, with the audit entry that goes with it when it decides. */
export interface Verdict {
  readonly response: Buffer;
  readonly audit?: AuditEvent;
}

/** A verdict as script arguments, in the order `read_verdict` (VERDICT_LUA) takes them back. */
export function verdictArgs(verdict: Verdict): (Buffer | string)[] {
  const fields = verdict.audit ? auditFields(verdict.audit) : [];
  return [verdict.response, String(fields.length), ...fields];
}

/** The keys a verdict script touches, in the order its callers pass them: txn hash, waiters set, audit stream. */
export function verdictKeys(keys: RedisKeys, txn: string): [string, string, string] {
  return [keys.txn(txn), keys.txnWaiters(txn), keys.audit()];
}

/**
 * Lua functions for scripts that deliver a verdict (libs/transactions, and a check that decides
 * and delivers in one script, as TOTP verification). Prepended to a script's source; they use no
 * KEYS or ARGV of their own.
 *
 * read_verdict(i) → verdict, next index: the verdict that `verdictArgs` put at ARGV[i].
 *
 * deliver_verdict(txnKey, waitersKey, auditKey, txnId, channelPrefix, ttlMs, verdict, unanswered) →
 * { 1, bytes } when this verdict decided the transaction; { 0, standing bytes } when an earlier one
 * stands (first verdict wins). `unanswered`: the calling script has just read that no verdict
 * stands (the script is atomic), so it is not read again. Deciding stores the bytes as the cached answer, publishes the delivery
 * message (wire form of encodeDelivery: 1 byte txn length, txn, response) to each waiting
 * ingress, and adds the verdict's audit entry: an entry per decided transaction, never one per
 * attempt. A failed XADD leaves the verdict standing (pcall), as the worker's log records it.
 */
export const VERDICT_LUA = `
local function read_verdict(i)
  local count = tonumber(ARGV[i + 1])
  local fields = {}
  for j = 1, count do fields[j] = ARGV[i + 1 + j] end
  return { response = ARGV[i], audit = fields }, i + 2 + count
end
local function deliver_verdict(txnKey, waitersKey, auditKey, txnId, channelPrefix, ttl, verdict, unanswered)
  if not unanswered then
    local existing = redis.call('HGET', txnKey, 'response')
    if existing then return { 0, existing } end
  end
  redis.call('HSET', txnKey, 'response', verdict.response, 'status', 'answered')
  redis.call('PEXPIRE', txnKey, ttl)
  local message = string.char(#txnId) .. txnId .. verdict.response
  for _, ingress in ipairs(redis.call('SMEMBERS', waitersKey)) do
    redis.call('PUBLISH', channelPrefix .. ingress, message)
  end
  redis.call('PEXPIRE', waitersKey, ttl)
  if #verdict.audit > 0 then
    redis.pcall('XADD', auditKey, 'MAXLEN', '~', ${AUDIT_STREAM_LENGTH}, '*', unpack(verdict.audit))
  end
  return { 1, verdict.response }
end
`;
