// Bounds and lifecycle: the pending bound per pod, graceful shutdown (readiness first, drain,
// then close), and a Redis outage (Status-Server goes silent so the NAS fails over).
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisHandle } from '@radius-mfa/testing';
import { Code } from '@radius-mfa/radius-protocol';
import { createIngressStarter, IngressConfigError } from '@radius-mfa/radius-ingress';
import { createLogger, createRoleContext } from '@radius-mfa/runtime';
import { SECRET, TestNas, accessRequest, startStandInWorker, startTestIngress, statusServer, testConfig, verifyReply, type StandInWorker, type TestIngress } from './harness.js';

let redis: RedisHandle;
let worker: StandInWorker;
let nas: TestNas;
const started: TestIngress[] = [];
let prefix: string;

beforeAll(async () => {
  redis = await startRedisServer();
  prefix = redis.prefix();
  worker = await startStandInWorker(redis, prefix);
  nas = await TestNas.open();
});

afterAll(async () => {
  await nas?.close();
  for (const ingress of started) await ingress.stop();
  await worker?.close();
  await redis?.stop();
});

async function ingressWith(radius: Record<string, unknown> = {}): Promise<TestIngress> {
  const ingress = await startTestIngress(testConfig(redis, prefix, { radius }), { drainTimeoutMs: 20_000 });
  started.push(ingress);
  return ingress;
}

describe('start-up refusals', () => {
  it('a tls:// listener without radius.tls is a typed IngressConfigError (config check refuses it first)', async () => {
    const config = testConfig(redis, prefix);
    const radius = { ...config.radius, listen: ['tls://127.0.0.1:0'], accountingListen: [] };
    delete radius.tls;
    const { context, closeRedisConnections } = createRoleContext({ config: { ...config, radius }, logger: createLogger({ level: 'silent', name: 'ingress' }) });
    try {
      const error: unknown = await createIngressStarter()(context).then(
        (running) => running.stop(),
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(IngressConfigError);
      expect(error).toMatchObject({ reason: 'radsec-without-tls', message: expect.stringContaining('radius.tls') });
    } finally {
      await closeRedisConnections();
    }
  });
});

describe('pending bound per pod', () => {
  it('drops new transactions beyond radius.maxPendingPerPod and counts them', async () => {
    const ingress = await ingressWith({ maxPendingPerPod: 2 });
    const [a, b, c] = [accessRequest(), accessRequest(), accessRequest()];
    nas.send(a, ingress.authPort);
    nas.send(b, ingress.authPort);
    const jobs = [await worker.nextJob(), await worker.nextJob()];
    nas.send(c, ingress.authPort);
    await expect.poll(() => ingress.counter('radius_packets_dropped_total', { reason: 'overload' })).toBe(1);
    // A retransmission of a held transaction is not new work: it still joins.
    nas.send(a, ingress.authPort);
    await expect.poll(() => ingress.counter('radius_duplicates_total', { outcome: 'joined' })).toBe(1);
    for (const job of jobs) await worker.answer(job, Code.AccessAccept, 'ok');
    const replies = [await nas.receive(), await nas.receive()];
    expect(replies.map((r) => r[0])).toEqual([Code.AccessAccept, Code.AccessAccept]);
    expect(await ingress.counter('radius_pending_transactions')).toBe(0);
  });
});

describe('Status-Server rate limit (PROTOCOL-CASES 34)', () => {
  it('answers at most radius.statusServerPerSecond per client and drops the rest', async () => {
    const ingress = await ingressWith({ statusServerPerSecond: 2 });
    for (let i = 0; i < 10; i++) nas.send(statusServer(100 + i), ingress.authPort);
    await expect.poll(async () => (await ingress.counter('radius_packets_dropped_total', { reason: 'rate_limited' })) + (await ingress.counter('radius_responses_sent_total'))).toBe(10);
    const answered = await ingress.counter('radius_responses_sent_total', { code: 'access-accept' });
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(answered).toBeLessThan(10);
    for (let i = 0; i < answered; i++) expect((await nas.receive())[0]).toBe(Code.AccessAccept);
  });
});

describe('graceful shutdown', () => {
  it('goes unready first, takes no new work, answers what is pending, then closes', async () => {
    const ingress = await ingressWith();
    const request = accessRequest();
    nas.send(request, ingress.authPort);
    const job = await worker.nextJob();
    expect((await ingress.context.readiness.evaluate()).ready).toBe(true);
    let stopped = false;
    const stopping = ingress.ingress.stop().then(() => (stopped = true));
    expect((await ingress.context.readiness.evaluate()).ready).toBe(false);
    nas.send(accessRequest(), ingress.authPort);
    await expect.poll(() => ingress.counter('radius_packets_dropped_total', { reason: 'draining' })).toBe(1);
    expect(stopped).toBe(false);
    await worker.answer(job, Code.AccessAccept, 'drained');
    expect(verifyReply(await nas.receive(), request).code).toBe(Code.AccessAccept);
    await stopping;
    expect(stopped).toBe(true);
  });
});

describe('listeners', () => {
  it('listens on IPv6 and enlarges the socket receive buffer', async () => {
    const ingress = await startTestIngress(
      testConfig(redis, prefix, {
        radius: { listen: ['udp://[::1]:0', 'udp://127.0.0.1:0'], receiveBufferBytes: 1_048_576 },
        clients: [{ name: 'v6', address: '::1/128', secret: SECRET }],
      }),
    );
    started.push(ingress);
    const [v6, v4] = ingress.ingress.addresses.auth;
    expect(v6!.family).toBe('IPv6');
    expect(v4!.family).toBe('IPv4');
    const socket = createSocket({ type: 'udp6' });
    try {
      await new Promise<void>((resolve) => socket.bind(0, '::1', resolve));
      const reply = new Promise<Buffer>((resolve) => socket.once('message', resolve));
      const probe = statusServer(8);
      socket.send(probe, v6!.port, '::1');
      expect(verifyReply(await reply, probe).code).toBe(Code.AccessAccept);
    } finally {
      socket.close();
    }
    // The kernel caps SO_RCVBUF at net.core.rmem_max (and reports double what it grants).
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    const line = ingress.logs.find((l) => l.includes('radius-ingress listening'))!;
    const { receiveBuffers } = JSON.parse(line) as { receiveBuffers: number[] };
    for (const size of receiveBuffers) expect(size).toBeGreaterThanOrEqual(Math.min(1_048_576, rmemMax));
  });
});

describe('Redis outage (PROTOCOL-CASES 35)', () => {
  it('answers Status-Server while Redis answers, and stops answering (and admitting) when it does not', async () => {
    const ingress = await ingressWith();
    const probe = statusServer(1);
    nas.send(probe, ingress.authPort);
    expect(verifyReply(await nas.receive(), probe).code).toBe(Code.AccessAccept);
    await worker.close();
    await redis.stop();
    nas.send(statusServer(2), ingress.authPort);
    await expect.poll(() => ingress.counter('radius_packets_dropped_total', { reason: 'redis_unavailable' }), { timeout: 20_000 }).toBe(1);
    nas.send(accessRequest(), ingress.authPort);
    await expect.poll(() => ingress.counter('radius_packets_dropped_total', { reason: 'redis_unavailable' }), { timeout: 20_000 }).toBe(2);
    expect(nas.unread).toBe(0);
  });
});
