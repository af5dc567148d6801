export { QueueNames, DEFAULT_KEY_PREFIX, type QueueName } from './queues.js';
export { redisKeys, type RedisKeys } from './keys.js';
export { ContractError, parseAuthJob, type AuthJob, type AuthJobV1 } from './jobs.js';
export { encodeDelivery, decodeDelivery, type DeliveryMessage } from './delivery.js';
export { auditFields, AUDIT_STREAM_LENGTH, type AuditEvent, type AuditOutcome } from './audit.js';
export { APPROVAL_ROUTES, approvalUrl, type ApprovalAction } from './approval-urls.js';
export { LuaScript, pairsToRecord } from './lua-script.js';
export { VERDICT_LUA, verdictArgs, verdictKeys, type Verdict } from './verdict-lua.js';
