import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '@radius-mfa/config';
import { addStartupGate, createLogger, createRoleContext, redisReadinessCheck, startOpsServer, type OpsServer, type RoleContextHandle } from '@radius-mfa/runtime';
import { startRedisServer, type RedisHandle } from '@radius-mfa/testing';

const silent = createLogger({ level: 'silent', name: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });

function configFor(redisUrl: string): Config {
  const key = randomBytes(32).toString('base64');
  return parseConfig(`redis: { url: "${redisUrl}" }\nops: { listen: "http://127.0.0.1:0" }\nsecurity: { sealingKeys: [{ id: k1, key: "${key}" }] }\n`, { env: {} }).config;
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

/** The value of one series (`name` or `name{label="value"}`) in a scrape of the ops server's /metrics. */
async function scraped(ops: OpsServer, series: string): Promise<number> {
  const { status, body } = await get(`${ops.url}/metrics`);
  expect(status).toBe(200);
  return valueOf(body, series);
}

function valueOf(exposition: string, series: string): number {
  const match = new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(exposition);
  if (!match) throw new Error(`${series} not in the scrape`);
  return Number(match[1]);
}

const CONTRACT_METRICS = [
  'radius_requests_received_total',
  'radius_responses_sent_total',
  'radius_packets_dropped_total',
  'radius_duplicates_total',
  'radius_request_duration_seconds',
  'mfa_challenges_total',
  'mfa_pending_challenges',
  'mfa_auth_duration_seconds',
  'mfa_provider_requests_total',
  'bullmq_job_count',
  'http_requests_total',
  'http_request_duration_seconds',
  'radius_pending_transactions',
  'mfa_fraud_reports_total',
  'radius_mfa_ready',
  'radius_mfa_readiness_duration_seconds',
];

interface OpsWithRedis {
  redis: RedisHandle;
  handle: RoleContextHandle;
  ops: OpsServer;
}

/** A private Redis, a role context on it, and its ops server with the `redis` readiness check. */
async function startOpsWithRedis(instanceId: string, readinessTimeoutMs?: number): Promise<OpsWithRedis> {
  const redis = await startRedisServer();
  const handle = createRoleContext({ config: configFor(redis.url), logger: silent, instanceId });
  const { context } = handle;
  const ops = await startOpsServer({ listen: context.config.ops.listen, registry: context.registry, logger: silent, readiness: context.readiness, ...(readinessTimeoutMs !== undefined && { readinessTimeoutMs }) });
  context.readiness.add('redis', redisReadinessCheck(context.redis('readiness')));
  return { redis, handle, ops };
}

/** Stops what startOpsWithRedis started; any part may be missing when the start failed. */
async function stopOpsWithRedis({ redis, handle, ops }: Partial<OpsWithRedis>): Promise<void> {
  await ops?.close();
  await handle?.closeRedisConnections();
  await redis?.stop();
}

describe('ops server with a private Redis', () => {
  let redis: RedisHandle;
  let handle: RoleContextHandle;
  let ops: OpsServer;

  beforeAll(async () => {
    ({ redis, handle, ops } = await startOpsWithRedis('ops-test', 500));
  });

  afterAll(() => stopOpsWithRedis({ redis, handle, ops }));

  it('/healthz answers 200 while the process runs', async () => {
    expect((await get(`${ops.url}/healthz`)).status).toBe(200);
  });

  it('/metrics serves every contract metric and no gauge named _total', async () => {
    handle.context.metrics.radiusRequestsReceived.inc({ client: 'vpn', type: 'Access-Request' });
    handle.context.metrics.mfaAuthDuration.observe({ method: 'push', outcome: 'approved' }, 42);
    const { status, body } = await get(`${ops.url}/metrics`);
    expect(status).toBe(200);
    for (const name of CONTRACT_METRICS) expect(body).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    expect(body).toContain('radius_requests_received_total{client="vpn",type="Access-Request"} 1');
    expect(body).toMatch(/^mfa_auth_duration_seconds_bucket\{le="90",method="push",outcome="approved"\} 1$/m);
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).not.toMatch(/nodejs_active_(handles|requests|resources)_total/);
    for (const match of body.matchAll(/^# TYPE (\S+) gauge$/gm)) expect(match[1]).not.toMatch(/_total$/);
  });

  it('/readyz is 200 while Redis answers, 503 naming redis once it is down; radius_mfa_ready in /metrics follows it', async () => {
    const up = await get(`${ops.url}/readyz`);
    expect(up.status).toBe(200);
    expect(JSON.parse(up.body)).toMatchObject({ ready: true, checks: { redis: { ok: true } } });
    expect(await scraped(ops, 'radius_mfa_ready')).toBe(1);
    // Each scrape where the redis check passes times its PING.
    expect(await scraped(ops, 'radius_mfa_readiness_duration_seconds_sum{check="redis"}')).toBeGreaterThan(0);
    const pings = await scraped(ops, 'radius_mfa_readiness_duration_seconds_count{check="redis"}');
    expect(pings).toBeGreaterThanOrEqual(3);

    await redis.stop();
    const down = await get(`${ops.url}/readyz`);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({ ready: false, checks: { redis: { ok: false } } });
    // The ops server still answers /metrics (so `up` stays 1); the gauge says what /readyz says.
    expect(await scraped(ops, 'radius_mfa_ready')).toBe(0);
    // A failed PING is an error or the timeout, not a round trip: no new sample.
    expect(await scraped(ops, 'radius_mfa_readiness_duration_seconds_count{check="redis"}')).toBe(pings);
  });
});

describe('readiness duration by check', () => {
  let redis: RedisHandle;
  let handle: RoleContextHandle;
  let ops: OpsServer;

  beforeAll(async () => {
    ({ redis, handle, ops } = await startOpsWithRedis('ops-duration-test'));
  });

  afterAll(() => stopOpsWithRedis({ redis, handle, ops }));

  it('a slow non-Redis check is timed as itself and does not inflate the redis PING time', async () => {
    const slowSeconds = 0.5;
    handle.context.readiness.add('ingress-sockets', () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), slowSeconds * 1000)));
    const { status, body } = await get(`${ops.url}/metrics`);
    expect(status).toBe(200);
    expect(valueOf(body, 'radius_mfa_readiness_duration_seconds_count{check="redis"}')).toBe(1);
    // A loopback PING is well under a millisecond; the slow check's half second must not show here.
    expect(valueOf(body, 'radius_mfa_readiness_duration_seconds_sum{check="redis"}')).toBeLessThan(slowSeconds / 2);
    expect(valueOf(body, 'radius_mfa_readiness_duration_seconds_count{check="ingress-sockets"}')).toBe(1);
    expect(valueOf(body, 'radius_mfa_readiness_duration_seconds_sum{check="ingress-sockets"}')).toBeGreaterThanOrEqual(slowSeconds * 0.95);
    // Every series names its check: none times the evaluation as a whole.
    expect(body).not.toMatch(/^radius_mfa_readiness_duration_seconds_(count|sum) /m);
    // /readyz says the same per check.
    const readyz = JSON.parse((await get(`${ops.url}/readyz`)).body) as { checks: Record<string, { seconds: number }> };
    expect(readyz.checks.redis!.seconds).toBeLessThan(slowSeconds / 2);
    expect(readyz.checks['ingress-sockets']!.seconds).toBeGreaterThanOrEqual(slowSeconds * 0.95);
  });

  it('a failing check adds no sample of its own, and the redis check beside it still does', async () => {
    handle.context.readiness.add('roles', () => {
      throw new Error('starting: ingress');
    });
    const { body } = await get(`${ops.url}/metrics`);
    expect(valueOf(body, 'radius_mfa_ready')).toBe(0);
    expect(valueOf(body, 'radius_mfa_readiness_duration_seconds_count{check="redis"}')).toBe(2);
    expect(() => valueOf(body, 'radius_mfa_readiness_duration_seconds_count{check="roles"}')).toThrow(/not in the scrape/);
  });
});

describe('ops server readiness', () => {
  it('turns 503 when draining, and reports a failing or throwing check by name', async () => {
    const { context } = createRoleContext({ config: configFor('redis://127.0.0.1:1'), logger: silent });
    const ops = await startOpsServer({ listen: 'http://127.0.0.1:0', registry: context.registry, logger: silent, readiness: context.readiness });
    try {
      let socketBound = true;
      context.readiness.add('socket', () => socketBound);
      expect((await get(`${ops.url}/readyz`)).status).toBe(200);
      socketBound = false;
      const failing = await get(`${ops.url}/readyz`);
      expect(failing.status).toBe(503);
      expect(JSON.parse(failing.body)).toMatchObject({ checks: { socket: { ok: false } } });
      socketBound = true;
      context.readiness.add('throws', () => {
        throw new Error('provider unreachable');
      });
      expect(JSON.parse((await get(`${ops.url}/readyz`)).body)).toMatchObject({ checks: { throws: { ok: false, error: 'provider unreachable' } } });
      context.readiness.setDraining();
      expect(JSON.parse((await get(`${ops.url}/readyz`)).body)).toMatchObject({ ready: false, draining: true });
      expect((await get(`${ops.url}/nothing`)).status).toBe(404);
    } finally {
      await ops.close();
    }
  });
});

describe('readiness gauge', () => {
  it('turns 0 for a failing check, a hanging one (bounded by the timeout) and draining', async () => {
    const { context } = createRoleContext({ config: configFor('redis://127.0.0.1:1'), logger: silent });
    const ops = await startOpsServer({ listen: 'http://127.0.0.1:0', registry: context.registry, logger: silent, readiness: context.readiness, readinessTimeoutMs: 50 });
    try {
      let socketBound = true;
      let hang = false;
      context.readiness.add('socket', () => socketBound);
      context.readiness.add('slow', () => (hang ? new Promise<boolean>(() => undefined) : true));
      expect(await scraped(ops, 'radius_mfa_ready')).toBe(1);
      socketBound = false;
      expect(await scraped(ops, 'radius_mfa_ready')).toBe(0);
      socketBound = true;
      expect(await scraped(ops, 'radius_mfa_ready')).toBe(1);
      hang = true;
      expect(await scraped(ops, 'radius_mfa_ready')).toBe(0);
      hang = false;
      context.readiness.setDraining();
      expect(await scraped(ops, 'radius_mfa_ready')).toBe(0);
    } finally {
      await ops.close();
    }
  });
});

describe('start-up gate', () => {
  it('keeps /readyz at 503, naming the roles, until the roles have started', async () => {
    const { context } = createRoleContext({ config: configFor('redis://127.0.0.1:1'), logger: silent });
    const ops = await startOpsServer({ listen: 'http://127.0.0.1:0', registry: context.registry, logger: silent, readiness: context.readiness });
    try {
      const started = addStartupGate(context.readiness, ['ingress', 'results']);
      const starting = await get(`${ops.url}/readyz`);
      expect(starting.status).toBe(503);
      expect(JSON.parse(starting.body)).toMatchObject({ ready: false, checks: { roles: { ok: false, error: 'starting: ingress, results' } } });
      started();
      expect((await get(`${ops.url}/readyz`)).status).toBe(200);
    } finally {
      await ops.close();
    }
  });
});
