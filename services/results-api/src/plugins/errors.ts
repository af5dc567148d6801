// One error shape, `{ error, message }`, for every route; a 5xx never shows its cause to the caller
// (it may name Redis hosts or internals), only the log keeps it, under the request id.
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';

async function errorShape(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.validation ? 400 : (error.statusCode ?? 500);
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(status).send({ error: 'internal', message: `internal error (request ${request.id})` });
    }
    return reply.code(status).send({ error: error.validation ? 'bad-request' : (error.code ?? 'error'), message: error.message });
  });
  // fastify's own 404 logs the full URL, token and query included: answer without it.
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'not-found', message: 'no such route' }));
}

export const errorsPlugin = fp(errorShape, { name: 'radius-mfa-errors', fastify: '5.x' });
