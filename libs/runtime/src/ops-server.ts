// /healthz, /readyz and /metrics for every role, on plain node:http (no framework on this path).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';
import { createReadinessMetrics } from './metrics.js';
import { createReadinessRegistry, type ReadinessRegistry } from './readiness.js';

export interface OpsServerOptions {
  /** `http://host:port`; port 0 picks a free one (tests). */
  listen: string;
  registry: Registry;
  logger: Logger;
  /** Share one with the roles; a new one by default. */
  readiness?: ReadinessRegistry;
  /** Bound on each readiness check, for /readyz and the `radius_mfa_ready` gauge alike (default 2000). */
  readinessTimeoutMs?: number;
}

export interface OpsServer {
  /** The bound address, e.g. `http://127.0.0.1:9100`. */
  readonly url: string;
  readonly readiness: ReadinessRegistry;
  close(): Promise<void>;
}

export class OpsListenError extends Error {
  readonly code = 'OPS_LISTEN_FAILED';
  constructor(readonly listen: string, cause: unknown) {
    super(`ops server cannot listen on ${listen}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'OpsListenError';
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { registry, logger } = options;
  const readiness = options.readiness ?? createReadinessRegistry();
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 2_000;
  const readinessMetrics = createReadinessMetrics(registry);
  const listen = new URL(options.listen);

  /** Evaluated at each scrape: /metrics still answers while /readyz is 503, so `up` alone hides an outage. */
  async function sampleReadiness(): Promise<void> {
    const result = await readiness.evaluate(readinessTimeoutMs);
    readinessMetrics.ready.set(result.ready ? 1 : 0);
    // Each check on its own, so a slow socket check never reads as Redis latency; a failed
    // check's time is its error or the timeout, not a round trip.
    for (const [check, { ok, seconds }] of Object.entries(result.checks)) {
      if (ok) readinessMetrics.readinessDuration.observe({ check }, seconds);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/healthz':
        return send(res, 200, 'text/plain', 'ok\n');
      case '/readyz': {
        const result = await readiness.evaluate(readinessTimeoutMs);
        return send(res, result.ready ? 200 : 503, 'application/json', `${JSON.stringify(result)}\n`);
      }
      case '/metrics':
        await sampleReadiness();
        return send(res, 200, registry.contentType, await registry.metrics());
      default:
        return send(res, 404, 'text/plain', 'not found: /healthz /readyz /metrics\n');
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'ops request failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new OpsListenError(options.listen, error)));
    server.listen(Number(listen.port || 80), listen.hostname.replace(/^\[|\]$/g, ''), () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url }, 'ops server listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    readiness,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
