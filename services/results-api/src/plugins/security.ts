// Hardening every route shares: strict CSP and other headers (helmet), rate limits (shared across
// pods through Redis; per token on the link routes, token-limits.ts), and a cross-site request
// refusal for state-changing calls.
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { HttpRateLimits } from '../dependencies.js';
import { tokenLimitsPlugin } from './token-limits.js';

export interface SecurityOptions {
  readonly rateLimits: HttpRateLimits;
  /** Counters live here when given (every pod shares them); in memory otherwise. */
  readonly redis?: Redis;
  /** Prefix of the counters' keys (from redisKeys, so they stay in the product's hash slot). */
  readonly rateLimitNamespace: string;
  /** Where the links live (the product's Redis): a link's limit asks whether it is live even with counters in memory. */
  readonly links?: Redis;
  /** `api.publicUrl`: the one origin whose pages may POST here. */
  readonly publicUrl: string;
}

/** No script, style or connection but our own; nothing may frame the pages (clickjacking an Approve). */
const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
};

/** A 429 in the `{ error, message }` shape of every other refusal. */
class RateLimitedError extends Error {
  readonly statusCode = 429;
  readonly code = 'rate-limited';
  constructor(after: string) {
    super(`too many requests; retry in ${after}`);
    this.name = 'RateLimitedError';
  }
}

async function security(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  // The default limit is per client address: the link routes opt out of it (tokenLimited), so what
  // it covers is the admin API, which only operators call.
  await app.register(rateLimit, {
    max: options.rateLimits.adminPerAddress.max,
    timeWindow: options.rateLimits.adminPerAddress.timeWindowMs,
    errorResponseBuilder: (_request, context) => new RateLimitedError(context.after),
    ...(options.redis && { redis: options.redis, nameSpace: options.rateLimitNamespace, skipOnError: true }),
  });
  await app.register(tokenLimitsPlugin, {
    limits: options.rateLimits,
    ...(options.redis && { redis: options.redis }),
    ...(options.links && { links: options.links }),
    namespace: options.rateLimitNamespace,
  });

  // CSRF: a browser always sends Origin on a cross-site POST (Fetch standard), and the JSON
  // bodies we accept cannot come from a plain HTML form without a CORS preflight we never grant.
  // Callers without a browser (ntfy actions, scripts) send no Origin and are judged by token alone.
  const ownOrigin = new URL(options.publicUrl).origin;
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const origin = request.headers.origin;
    const site = request.headers['sec-fetch-site'];
    if ((origin !== undefined && origin !== ownOrigin) || site === 'cross-site') {
      return reply.code(403).send({ error: 'cross-site-request', message: 'cross-site requests are refused' });
    }
  });
}

export const securityPlugin = fp(security, { name: 'radius-mfa-security', fastify: '5.x' });
