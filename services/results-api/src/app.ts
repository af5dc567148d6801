// Builds the results-api fastify app (testable with app.inject()); server.ts listens.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DEFAULT_HTTP_RATE_LIMITS, type HttpRateLimits, type ResultsDependencies } from './dependencies.js';
import { serializeRequest } from './log-redaction.js';
import { errorsPlugin } from './plugins/errors.js';
import { metricsPlugin } from './plugins/metrics.js';
import { securityPlugin } from './plugins/security.js';
import { adminRoutes } from './routes/admin.js';
import { approvalRoutes } from './routes/approvals.js';
import { assetRoutes } from './routes/assets.js';
import { enrollmentRoutes } from './routes/enrollment.js';
import { voiceCallbackRoutes } from './routes/voice-callback.js';
import { voiceApprovalConfigured } from './voice-setup.js';

export interface BuildAppOptions {
  /** Overrides of DEFAULT_HTTP_RATE_LIMITS. */
  readonly rateLimits?: Partial<HttpRateLimits>;
  /** Keep rate-limit counters in memory instead of Redis (single-process tests). */
  readonly rateLimitInMemory?: boolean;
}

export type ResultsApp = FastifyInstance;

const DOCS_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Bodies are small JSON objects; anything larger is not ours. */
const BODY_LIMIT_BYTES = 64 * 1024;

export async function buildApp(deps: ResultsDependencies, options: BuildAppOptions = {}): Promise<ResultsApp> {
  const { config } = deps;
  const publicUrl = config.api.publicUrl ?? config.api.listen;
  const logger = deps.logger.child(
    { component: 'results-api' },
    { serializers: { req: serializeRequest, res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }) } },
  );
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Our own ids: a client-chosen request id would let anyone forge log correlation.
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // Unknown fields are refused, not silently dropped: a typo must not become a default.
    ajv: { customOptions: { removeAdditional: false } },
    // false, true (tests) or the proxies' addresses: X-Forwarded-For is read only from them.
    trustProxy: config.api.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // `POST approveUrl` with no body at all (curl -X POST, an ntfy action) means `{}`.
  app.addHook('preValidation', async (request) => {
    if ((request.method === 'POST' || request.method === 'PUT') && request.body === undefined) request.body = {};
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'radius-mfa results API', version: '1', description: 'Approvals, enrollment and administration of radius-mfa.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // As strict as the pages, but Swagger UI sets inline styles (never scripts), and no external validator.
    transformStaticCSP: () => DOCS_CONTENT_SECURITY_POLICY,
    uiConfig: { validatorUrl: null },
  });
  await app.register(securityPlugin, {
    rateLimits: { ...DEFAULT_HTTP_RATE_LIMITS, ...options.rateLimits },
    ...(!options.rateLimitInMemory && { redis: deps.redis }),
    links: deps.redis,
    rateLimitNamespace: deps.keys.rate('http', ''),
    publicUrl,
  });
  await app.register(metricsPlugin, { metrics: deps.metrics });
  await app.register(errorsPlugin);

  await app.register(assetRoutes);
  await app.register(approvalRoutes, { deps });
  await app.register(enrollmentRoutes, { deps, publicUrl });
  if (config.api.adminToken) await app.register(adminRoutes, { deps, adminToken: config.api.adminToken, publicUrl });
  if (deps.voice && voiceApprovalConfigured(config)) await app.register(voiceCallbackRoutes, { deps, voice: deps.voice });
  return app;
}
