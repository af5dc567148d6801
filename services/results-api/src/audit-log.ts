// The audit stream as the results-api writes (decisions it makes) and reads it (admin API).
import type { Redis } from 'ioredis';
import { AUDIT_STREAM_LENGTH, auditFields, type AuditEvent, type AuditOutcome, type RedisKeys } from '@radius-mfa/contracts';
import type { Logger } from '@radius-mfa/runtime';

/** A filtered read stops after this many events, so one admin call cannot walk the whole stream. */
const AUDIT_SCAN_LIMIT = 20_000;
const AUDIT_PAGE = 500;

export interface AuditRecord extends AuditEvent {
  /** Stream entry id. */
  readonly id: string;
}

export interface AuditLog {
  write(event: AuditEvent): Promise<void>;
  /** Newest first; only `user`'s events when given. */
  recent(options: { user?: string; limit: number }): Promise<AuditRecord[]>;
}

const NUMBER_FIELDS = new Set(['at', 'latencyMs']);

function toRecord(id: string, fields: string[]): AuditRecord {
  const event: Record<string, string | number> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!;
    event[name] = NUMBER_FIELDS.has(name) ? Number(fields[i + 1]) : fields[i + 1]!;
  }
  return {
    id,
    at: Number(event['at'] ?? 0),
    user: String(event['user'] ?? ''),
    client: String(event['client'] ?? ''),
    method: String(event['method'] ?? ''),
    outcome: String(event['outcome'] ?? '') as AuditOutcome,
    reason: String(event['reason'] ?? ''),
    ...(event['latencyMs'] !== undefined && { latencyMs: Number(event['latencyMs']) }),
    ...(event['txn'] !== undefined && { txn: String(event['txn']) }),
    ...(event['callingStationId'] !== undefined && { callingStationId: String(event['callingStationId']) }),
  };
}

export function createAuditLog(redis: Redis, keys: RedisKeys, logger: Logger): AuditLog {
  return {
    async write(event) {
      logger.info({ audit: event }, `decision ${event.outcome}: ${event.reason}`);
      try {
        await redis.xadd(keys.audit(), 'MAXLEN', '~', AUDIT_STREAM_LENGTH, '*', ...auditFields(event));
      } catch (error) {
        // The decision stands; the log line above keeps the event.
        logger.error({ err: error }, 'audit stream write failed');
      }
    },

    async recent({ user, limit }) {
      const found: AuditRecord[] = [];
      let end = '+';
      for (let scanned = 0; scanned < AUDIT_SCAN_LIMIT && found.length < limit; ) {
        const page = await redis.xrevrange(keys.audit(), end, '-', 'COUNT', AUDIT_PAGE);
        for (const [id, fields] of page) {
          const record = toRecord(id, fields);
          if (user === undefined || record.user === user) found.push(record);
          if (found.length >= limit) break;
        }
        scanned += page.length;
        if (page.length < AUDIT_PAGE) break;
        end = `(${page[page.length - 1]![0]}`;
      }
      return found;
    },
  };
}
