// One audit event per decision: to the capped Redis stream (admin API, SIEM export) and the log.
// The event type has no field for a password, code or secret, so none can be written.
import type { Redis, Cluster } from 'ioredis';
import { AUDIT_STREAM_LENGTH, auditFields, type AuditEvent, type RedisKeys } from '@radius-mfa/contracts';
import type { Logger } from '@radius-mfa/runtime';

export interface AuditWriter {
  /** A decision with no verdict to carry its entry (a held out-of-band sign-in): the log line and the stream entry. */
  write(event: AuditEvent): Promise<void>;
  /**
   * The log line of a decision whose stream entry went with its verdict (deliverVerdict's
   * `audit`): written only when that verdict decided, so `decided` false logs at debug.
   */
  logDelivered(event: AuditEvent, decided: boolean): void;
}

export function createAuditWriter(redis: Redis | Cluster, keys: RedisKeys, logger: Logger): AuditWriter {
  return {
    async write(event) {
      logger.info({ audit: event }, `auth ${event.outcome}: ${event.reason}`);
      try {
        // The one cap every writer uses (contracts); MAXLEN ~ trims by whole nodes, cheaply.
        await redis.xadd(keys.audit(), 'MAXLEN', '~', AUDIT_STREAM_LENGTH, '*', ...auditFields(event));
      } catch (error) {
        // The decision stands without its stream entry; the log line above still records it.
        logger.error({ err: error, txn: event.txn }, 'audit stream write failed');
      }
    },
    logDelivered(event, decided) {
      if (decided) logger.info({ audit: event }, `auth ${event.outcome}: ${event.reason}`);
      else logger.debug({ audit: event }, `auth ${event.outcome}: ${event.reason} (an earlier verdict stands)`);
    },
  };
}
