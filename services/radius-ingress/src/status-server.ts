// Status-Server (RFC 5997): "this server can work". Answered only while Redis answers, so a
// NAS whose Status-Server goes unanswered fails over to another pod.
import { Code, buildResponse, type RadiusPacket } from '@radius-mfa/radius-protocol';
import type { RedisClient } from '@radius-mfa/runtime';
import type { ResolvedClient } from './client-table.js';
import { createKeyedRateLimiter } from './rate-limit.js';
import type { PortKind } from './admission.js';

export type StatusServerOutcome = { readonly answer: Buffer } | { readonly drop: 'rate_limited' | 'redis_unavailable' };

export interface StatusServerOptions {
  readonly redis: RedisClient;
  /** radius.statusServerPerSecond, per client; 0 ignores Status-Server. */
  readonly perSecond: number;
  /** How long a PING may take before Redis counts as not answering. */
  readonly pingTimeoutMs?: number;
}

export interface StatusServerResponder {
  respond(packet: RadiusPacket, client: ResolvedClient, port: PortKind): Promise<StatusServerOutcome>;
}

async function redisAnswers(redis: RedisClient, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      redis.ping().then((reply) => reply === 'PONG'),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function createStatusServerResponder(options: StatusServerOptions): StatusServerResponder {
  const limiter = createKeyedRateLimiter(() => ({ perSecond: options.perSecond, burst: Math.max(1, options.perSecond) }));
  const pingTimeoutMs = options.pingTimeoutMs ?? 1_000;
  return {
    async respond(packet, client, port) {
      // PROTOCOL-CASES 34: rate-limited per client, so a flood of probes cannot load Redis.
      if (options.perSecond === 0 || !limiter.take(client.config.name)) return { drop: 'rate_limited' };
      if (!(await redisAnswers(options.redis, pingTimeoutMs))) return { drop: 'redis_unavailable' };
      // RFC 5997 §3: Access-Accept on the authentication port, Accounting-Response on the accounting port.
      const code = port === 'accounting' ? Code.AccountingResponse : Code.AccessAccept;
      return { answer: buildResponse(packet, code, [], client.secret) };
    },
  };
}
