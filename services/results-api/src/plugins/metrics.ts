// HTTP RED metrics: rate, errors (by status) and duration, labelled by route template, never by URL
// (a URL holds tokens; a label must not).
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '@radius-mfa/runtime';

async function httpMetrics(app: FastifyInstance, options: { metrics: Metrics }): Promise<void> {
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status: String(reply.statusCode),
    };
    options.metrics.httpRequests.inc(labels);
    options.metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
  });
}

export const metricsPlugin = fp(httpMetrics, { name: 'radius-mfa-http-metrics', fastify: '5.x' });
