// Limits of the routes that carry a link's token. Each token has its own budget, and only an
// unknown, malformed or wrong token costs the client address: a flood of junk links from one
// address refuses that address's junk, never a real approval, from another address or from the
// same one (phones behind an office or carrier NAT share it with whoever sent the junk).
import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';
import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { HttpRateLimits } from '../dependencies.js';
import { memoryTokenCounters, redisTokenCounters, type TokenAdmission } from './token-counters.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route parameter holding the link's token: the route is limited per token (token-limits.ts). */
    tokenLimit?: string;
    /** The Redis key that exists while the link carrying this token is live. */
    tokenLiveKey?: (token: string) => string;
  }
}

/**
 * Route config of a token route: out of the per-address default limit, into the per-token one.
 * `liveKey`: the key that exists while the link is live, so that a live link is served even from
 * an address whose misses are spent.
 */
export function tokenLimited(
  param: string,
  liveKey: (token: string) => string,
): { readonly rateLimit: false; readonly tokenLimit: string; readonly tokenLiveKey: (token: string) => string } {
  return { rateLimit: false, tokenLimit: param, tokenLiveKey: liveKey };
}

/** Answers that say the token is malformed, unknown, badly signed or refused: charged to the address. */
const MISS_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404]);

/** The client address as the limits count it (an IPv6 client by its /64, as @fastify/rate-limit does). */
export function clientAddressKey(request: FastifyRequest): string {
  return normalizeIP(request.ip);
}

function tokenOf(request: FastifyRequest): string {
  const param = request.routeOptions.config.tokenLimit ?? '';
  return String((request.params as Record<string, unknown>)[param] ?? '');
}

/** A digest names the token's counter: a token (a credential) never reaches Redis in clear. */
function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 22);
}

async function refuse(reply: FastifyReply, retryAfterSeconds: number): Promise<void> {
  await reply
    .code(429)
    .header('retry-after', String(Math.max(1, retryAfterSeconds)))
    .send({ error: 'rate-limited', message: `too many requests; retry in ${Math.max(1, retryAfterSeconds)} s` });
}

export interface TokenLimitsOptions {
  readonly limits: HttpRateLimits;
  /** Counters live here when given (every pod shares them); in memory otherwise. */
  readonly redis?: Redis;
  /** Prefix of the counters' keys (from redisKeys). */
  readonly namespace: string;
  /** Where the links live, for counters in memory (in Redis, the counting script looks itself). */
  readonly links?: Redis;
}

async function tokenLimits(app: FastifyInstance, options: TokenLimitsOptions): Promise<void> {
  const { links } = options;
  const counters = options.redis
    ? redisTokenCounters(options.redis, options.namespace, options.limits)
    : memoryTokenCounters(options.limits, Date.now, links && (async (key) => (await links.exists(key)) === 1));

  // onRequest: before the body is read, so a refused request costs one round trip and nothing more.
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.tokenLimit === undefined) return;
    let admission: TokenAdmission;
    try {
      const token = tokenOf(request);
      admission = await counters.admit(clientAddressKey(request), tokenDigest(token), request.routeOptions.config.tokenLiveKey?.(token));
    } catch (error) {
      // Redis is down: the route's own lookup fails next; the limits do not add a second error.
      request.log.warn({ err: error }, 'token rate limit not checked: its counters did not answer');
      return;
    }
    if (admission.refused) return refuse(reply, Math.ceil(admission.retryAfterMs / 1000));
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.config.tokenLimit === undefined || !MISS_STATUSES.has(reply.statusCode)) return;
    await counters.chargeMiss(clientAddressKey(request)).catch((error: unknown) => {
      request.log.warn({ err: error }, 'unknown token not charged to its address: its counters did not answer');
    });
  });
}

export const tokenLimitsPlugin = fp(tokenLimits, { name: 'radius-mfa-token-limits', fastify: '5.x' });
