// One audit event per decision: to the capped Redis stream (admin API, SIEM export) and the log.
// The event type has no field for a password, code or secret, so none can be written.
import type { Redis, Cluster } from 'ioredis';
import { AUDIT_STREAM_LENGTH, auditFields, type AuditEvent, type RedisKeys } from '@radius-mfa/contracts';
import type { Logger } from '@radius-mfa/runtime';

export type AuditWriter = (event: AuditEvent) => Promise<void>;

export function createAuditWriter(redis: Redis | Cluster, keys: RedisKeys, logger: Logger): AuditWriter {
  return async (event) => {
    logger.info({ audit: event }, `auth ${event.outcome}: ${event.reason}`);
    try {
      // The one cap every writer uses (contracts); MAXLEN ~ trims by whole nodes, cheaply.
      await redis.xadd(keys.audit(), 'MAXLEN', '~', AUDIT_STREAM_LENGTH, '*', ...auditFields(event));
    } catch (error) {
      // The decision stands without its stream entry; the log line above still records it.
      logger.error({ err: error, txn: event.txn }, 'audit stream write failed');
    }
  };
}
