// How the demo picks its ports: the usual ones when free, a number as given or a refusal, 0 for any free
// port. "Usual" here is a set of free ports the test picked, so 1812 is never touched.
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort, freeUdpPort, startRedis, type RedisHandle } from '@radius-mfa/testing';
import { DemoPortError, chooseDemoPorts, type DemoPorts } from '../src/demo-config.js';
import { runCli } from './cli-harness.js';

async function usualPorts(): Promise<DemoPorts> {
  const api = await freeTcpPort();
  let ops = await freeTcpPort();
  while (ops === api) ops = await freeTcpPort();
  return { radius: await freeUdpPort(), api, ops };
}

function holdUdp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

function holdTcp(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function release(held: (Socket | Server)[]): Promise<void> {
  await Promise.all(held.map((h) => new Promise<void>((resolve) => h.close(() => resolve()))));
}

describe('chooseDemoPorts', () => {
  it('takes the usual ports when they are free', async () => {
    const usual = await usualPorts();
    expect(await chooseDemoPorts({}, usual)).toEqual(usual);
  });

  it('moves to other free ports when the usual ones are taken (FreeRADIUS on 1812)', async () => {
    const usual = await usualPorts();
    const held = [await holdUdp(usual.radius), await holdTcp(usual.api), await holdTcp(usual.ops)];
    try {
      const ports = await chooseDemoPorts({}, usual);
      expect(ports.radius).not.toBe(usual.radius);
      expect(ports.api).not.toBe(usual.api);
      expect(ports.ops).not.toBe(usual.ops);
      expect(ports.api).not.toBe(ports.ops);
    } finally {
      await release(held);
    }
  });

  it('0 picks any free port even when the usual one is free; a number is used as given', async () => {
    const usual = await usualPorts();
    const wanted = await freeTcpPort();
    const ports = await chooseDemoPorts({ radius: 0, api: wanted, ops: 0 }, usual);
    expect(ports.radius).not.toBe(usual.radius);
    expect(ports.radius).toBeGreaterThan(0);
    expect(ports.api).toBe(wanted);
    expect(ports.ops).not.toBe(usual.ops);
    expect(ports.ops).not.toBe(wanted);
  });

  it('a metrics port given as the usual API port moves the API, not the metrics', async () => {
    const usual = await usualPorts();
    const ports = await chooseDemoPorts({ ops: usual.api }, usual);
    expect(ports.ops).toBe(usual.api);
    expect(ports.api).not.toBe(usual.api);
  });

  it('refuses a port given by number that is taken, or the same TCP port twice, naming the option', async () => {
    const usual = await usualPorts();
    const taken = await holdUdp(usual.radius);
    try {
      const refused = await chooseDemoPorts({ radius: usual.radius }, usual).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DemoPortError);
      expect(refused).toMatchObject({ role: 'radius', port: usual.radius, reason: 'taken' });
      expect((refused as Error).message).toContain(`--radius-port ${usual.radius}: the port is in use`);
      expect((refused as Error).message).toContain('--radius-port 0');
    } finally {
      await release([taken]);
    }
    const same = await chooseDemoPorts({ api: usual.api, ops: usual.api }, usual).catch((error: unknown) => error);
    expect(same).toMatchObject({ role: 'ops', port: usual.api, reason: 'duplicate' });
  });
});

describe('radius-mfa demo port options', () => {
  let redis: RedisHandle;
  const dir = mkdtempSync(join(tmpdir(), 'rmfa-demo-ports-'));
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a port that is not a number from 0 to 65535 (exit 2)', async () => {
    for (const [option, value] of [
      ['--radius-port', 'abc'],
      ['--api-port', '70000'],
      ['--ops-port', '-1'],
    ] as const) {
      const run = await runCli(['demo', '--data-dir', join(dir, 'unused'), `${option}=${value}`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${option} must be a port number from 0 to 65535 (0 = any free port), not "${value}"`);
    }
  });

  it('a taken RADIUS port given by number stops the demo before the roles start, with the fix (exit 2)', async () => {
    const port = await freeUdpPort();
    const held = await holdUdp(port);
    try {
      const run = await runCli(['demo', '--data-dir', join(dir, 'data'), '--radius-port', String(port), '--api-port', '0', '--ops-port', '0'], { env: { REDIS_URL: redis.url, PATH: process.env['PATH'] } });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`radius-mfa demo: --radius-port ${port}: the port is in use on 127.0.0.1; choose another, or --radius-port 0 for any free port`);
      expect(run.stdout).not.toContain('demo ready');
    } finally {
      await release([held]);
    }
  }, 60_000);
});
