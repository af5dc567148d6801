// The pages' script and stylesheet: external files, because the CSP allows no inline code.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { APPROVE_SCRIPT } from '../assets/approve-script.js';
import { ENROLL_SCRIPT } from '../assets/enroll-script.js';
import { PAGE_STYLE } from '../assets/page-style.js';

const ASSETS: Readonly<Record<string, { type: string; body: string }>> = {
  'approve.js': { type: 'text/javascript; charset=utf-8', body: APPROVE_SCRIPT },
  'enroll.js': { type: 'text/javascript; charset=utf-8', body: ENROLL_SCRIPT },
  'page.css': { type: 'text/css; charset=utf-8', body: PAGE_STYLE },
};

export const assetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/assets/:name', {
    schema: { hide: true, params: Type.Object({ name: Type.String({ maxLength: 32 }) }) },
    config: { rateLimit: false },
    handler: async (request, reply) => {
      // Own keys only: `__proto__` or `constructor` would otherwise find Object.prototype's members.
      const asset = Object.hasOwn(ASSETS, request.params.name) ? ASSETS[request.params.name] : undefined;
      if (!asset) return reply.code(404).send({ error: 'not-found', message: 'no such asset' });
      return reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
    },
  });
};
