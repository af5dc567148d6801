import { LuaScript, VERDICT_LUA } from '@radius-mfa/contracts';

/**
 * admitTransaction
 * KEYS[1] txn hash, KEYS[2] txn waiters set
 * ARGV[1] ingress id, ARGV[2] pending lifetime (ms), ARGV[3] now (epoch ms)
 * Result: { 'answered', responseBytes } | { 'pending', createdAt } | { 'new', createdAt }
 * Joins the caller to the waiters unless the answer is already cached.
 */
const ADMIT_SOURCE = `
local h = redis.call('HMGET', KEYS[1], 'response', 'createdAt')
if h[1] then return { 'answered', h[1] } end
redis.call('SADD', KEYS[2], ARGV[1])
if h[2] then return { 'pending', h[2] } end
redis.call('HSET', KEYS[1], 'createdAt', ARGV[3], 'status', 'pending')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return { 'new', ARGV[3] }
`;

/**
 * deliverVerdict
 * KEYS[1] txn hash, KEYS[2] txn waiters set, KEYS[3] audit stream
 * ARGV[1] txn id, ARGV[2] channel prefix, ARGV[3] lifetime of the cached answer (ms),
 * ARGV[4..] the verdict (verdictArgs: response bytes, audit field count, audit fields)
 * Result: { 1, responseBytes } when this call decided (its audit entry, if any, written); { 0,
 * cachedBytes } when an earlier verdict stands (first verdict wins, so every retransmission gets
 * identical bytes, and no second audit entry is written).
 */
const DELIVER_SOURCE = `${VERDICT_LUA}
local verdict = read_verdict(4)
return deliver_verdict(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], verdict)
`;

/**
 * deliverPreparedVerdict
 * KEYS[1] txn hash, KEYS[2] txn waiters set, KEYS[3] audit stream (unused: results-api audits)
 * ARGV[1] which prepared response ('accept' | 'reject'), ARGV[2] txn id, ARGV[3] channel
 * prefix, ARGV[4] lifetime of the cached answer (ms)
 * Result: { 1, bytes } decided now; { 0, bytes } an earlier verdict stands; { -1, '' } nothing
 * was prepared (unknown or expired transaction).
 */
const DELIVER_PREPARED_SOURCE = `${VERDICT_LUA}
local existing = redis.call('HGET', KEYS[1], 'response')
if existing then return { 0, existing } end
local prepared = redis.call('HGET', KEYS[1], 'prepared:' .. ARGV[1])
if not prepared then return { -1, '' } end
redis.call('HDEL', KEYS[1], 'prepared:accept', 'prepared:reject')
return deliver_verdict(KEYS[1], KEYS[2], KEYS[3], ARGV[2], ARGV[3], ARGV[4], { response = prepared, audit = {} })
`;

/**
 * prepareVerdicts
 * KEYS[1] txn hash, KEYS[2] txn waiters set
 * ARGV[1] accept bytes, ARGV[2] reject bytes, ARGV[3] lifetime (ms), extended, never shortened
 * Result: 1 stored; 0 the transaction is gone or already answered.
 */
const PREPARE_SOURCE = `
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'response') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'prepared:accept', ARGV[1], 'prepared:reject', ARGV[2])
local ttl = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 1
`;

export const admitScript = new LuaScript(ADMIT_SOURCE);
export const deliverScript = new LuaScript(DELIVER_SOURCE);
export const deliverPreparedScript = new LuaScript(DELIVER_PREPARED_SOURCE);
export const prepareScript = new LuaScript(PREPARE_SOURCE);
