// The admin API of CONTRACT.md, behind the bearer token. Registered only when api.adminToken is set.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { normalizeUserName } from '@radius-mfa/directory';
import { Base32Error, enrollPushFor, enrollmentUrl, type ChallengeRecord } from '@radius-mfa/mfa';
import type { ResultsDependencies } from '../dependencies.js';
import { PushEnrolled } from './push-enrolled.js';
import { adminAuthHook } from '../plugins/admin-auth.js';

const UserParams = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\u0000-\\u001f\\u007f]+$', description: 'User name (normalised as at sign-in).' }),
});
const Problem = Type.Object({ error: Type.String(), message: Type.String() });

/**
 * Per-user notifier override. Only where pushes go: signing secrets and access tokens stay in
 * the config, because the user record in Redis must not hold a cleartext secret. No ntfy topic:
 * the user's own random one is minted here and returned (a chosen name could be guessed).
 */
const NotifierOverride = Type.Union([
  Type.Object({ type: Type.Literal('webhook'), url: Type.String({ pattern: '^https?://', maxLength: 2048 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('ntfy'), url: Type.String({ pattern: '^https?://', maxLength: 2048 }) }, { additionalProperties: false }),
]);

const PendingChallenge = Type.Object({
  challengeId: Type.String(),
  user: Type.String(),
  client: Type.String(),
  method: Type.String(),
  callingStationId: Type.String(),
  prompt: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

const AuditEventSchema = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  user: Type.String(),
  client: Type.String(),
  method: Type.String(),
  outcome: Type.String(),
  reason: Type.String(),
  latencyMs: Type.Optional(Type.Number()),
  txn: Type.Optional(Type.String()),
  callingStationId: Type.Optional(Type.String()),
});

/** What an admin sees of a challenge: never the number to match, the request or a token. */
function pendingView(challenge: ChallengeRecord) {
  return {
    challengeId: challenge.challengeId,
    user: challenge.user,
    client: challenge.client,
    method: challenge.method,
    callingStationId: challenge.callingStationId,
    prompt: challenge.prompt,
    createdAt: new Date(challenge.createdAt).toISOString(),
    expiresAt: new Date(challenge.expiresAt).toISOString(),
  };
}

const DEFAULT_LINK_TTL_SECONDS = 24 * 3600;

export const adminRoutes: FastifyPluginAsyncTypebox<{ deps: ResultsDependencies; adminToken: string; publicUrl: string }> = async (app, { deps, adminToken, publicUrl }) => {
  const { users, config } = deps;
  const userName = (raw: string): string => normalizeUserName(raw, config.userNames);
  const security = [{ bearer: [] }];

  app.addHook('onRequest', adminAuthHook(adminToken));

  app.put('/v1/users/:name/totp', {
    schema: {
      summary: 'Enroll or re-enroll TOTP (the returned secret is shown once)',
      tags: ['admin'],
      security,
      params: UserParams,
      body: Type.Object({ secret: Type.Optional(Type.String({ minLength: 16, maxLength: 128, description: 'BASE32 secret to import; a fresh one by default.' })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ secret: Type.String(), otpauthUri: Type.String() }), 400: Problem },
    },
    handler: async (request, reply) => {
      const secret = request.body.secret;
      try {
        const enrolled = await users.enrollTotp(userName(request.params.name), { confirmed: true, ...(secret !== undefined && { secret }) });
        reply.header('cache-control', 'no-store');
        return await reply.send(enrolled);
      } catch (error) {
        if (error instanceof Base32Error) return reply.code(400).send({ error: 'bad-secret', message: 'secret is not valid BASE32' });
        throw error;
      }
    },
  });

  app.delete('/v1/users/:name/totp', {
    schema: { summary: 'Remove TOTP', tags: ['admin'], security, params: UserParams, response: { 204: Type.Null(), 404: Problem } },
    handler: async (request, reply) => {
      const removed = await users.removeTotp(userName(request.params.name));
      return removed ? reply.code(204).send(null) : reply.code(404).send({ error: 'not-found', message: 'no TOTP enrollment for this user' });
    },
  });

  app.put('/v1/users/:name/push', {
    schema: {
      summary: 'Enroll for push (optionally with a per-user notifier)',
      tags: ['admin'],
      security,
      params: UserParams,
      body: Type.Object({ notifier: Type.Optional(NotifierOverride) }, { additionalProperties: false }),
      response: { 200: PushEnrolled },
    },
    handler: async (request, reply) => {
      const enrolled = await enrollPushFor(users, userName(request.params.name), config.mfa.push?.notifier, request.body.notifier);
      reply.header('cache-control', 'no-store');
      return reply.send({ enrolled: 'push' as const, ...enrolled });
    },
  });

  app.post('/v1/users/:name/unlock', {
    schema: { summary: 'Clear lockouts, the fraud lock and the denial count', tags: ['admin'], security, params: UserParams, response: { 204: Type.Null() } },
    handler: async (request, reply) => {
      const name = userName(request.params.name);
      await users.unlock(name);
      request.log.info({ user: name }, 'user unlocked');
      return reply.code(204).send(null);
    },
  });

  app.post('/v1/users/:name/enrollment-links', {
    schema: {
      summary: 'Create a single-use enrollment link',
      tags: ['admin'],
      security,
      params: UserParams,
      body: Type.Object(
        {
          methods: Type.Optional(Type.Array(Type.Union([Type.Literal('totp'), Type.Literal('push')]), { minItems: 1, maxItems: 2, uniqueItems: true })),
          ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 30 * 24 * 3600, description: 'Link lifetime; 24 h by default.' })),
        },
        { additionalProperties: false },
      ),
      response: { 201: Type.Object({ url: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }) },
    },
    handler: async (request, reply) => {
      const methods = request.body.methods ?? (config.mfa.push ? ['totp', 'push'] : ['totp']);
      const ttlMs = (request.body.ttlSeconds ?? DEFAULT_LINK_TTL_SECONDS) * 1000;
      const link = await deps.enrollmentLinks.create(userName(request.params.name), { methods, ttlMs });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ url: enrollmentUrl(publicUrl, link.token), expiresAt: new Date(link.expiresAt).toISOString() });
    },
  });

  app.get('/v1/challenges', {
    schema: {
      summary: 'Pending challenges',
      tags: ['admin'],
      security,
      querystring: Type.Object({
        status: Type.Literal('pending', { default: 'pending' }),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
      }),
      response: { 200: Type.Object({ challenges: Type.Array(PendingChallenge) }) },
    },
    handler: async (request, reply) => {
      const pending = await deps.challenges.listPendingChallenges({ limit: request.query.limit });
      deps.metrics.mfaPendingChallenges.set(await deps.challenges.countPendingChallenges());
      return reply.send({ challenges: pending.map(pendingView) });
    },
  });

  app.get('/v1/audit', {
    schema: {
      summary: 'Recent decisions, newest first',
      tags: ['admin'],
      security,
      querystring: Type.Object({
        user: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
      }),
      response: { 200: Type.Object({ events: Type.Array(AuditEventSchema) }) },
    },
    handler: async (request, reply) => {
      const { user, limit } = request.query;
      const events = await deps.audit.recent({ limit, ...(user !== undefined && { user: userName(user) }) });
      return reply.send({ events: events.map((event) => ({ ...event, at: new Date(event.at).toISOString() })) });
    },
  });
};
