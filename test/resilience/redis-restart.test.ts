// Redis stopped and started again under a running system. While it is down: the ingress is not
// ready, Status-Server goes unanswered (RFC 5997, PROTOCOL-CASES 35) and Access-Requests are
// dropped (the NAS fails over), whatever the client's failMode: nothing is accepted without a
// second factor. After it returns (same port, AOF on): ready again and logins accepted; the
// time to full service is printed (speed is for benchmarks, not assertions).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '@radius-mfa/testing';
import { Code } from '@radius-mfa/radius-protocol';
import { generateHotp, totpStep } from '@radius-mfa/mfa';
import { benchClient, isReady, metricValue, newSealingKey, startSystem, systemConfigYaml } from '../../bench/_lib/system.mjs';
import { enrollTotpUsers, userName, userSecret } from '../../bench/_lib/totp-population.mjs';
import { openLogin } from '../../bench/_lib/single-login.mjs';

const REDIS_ARGS = ['--appendonly', 'yes', '--appendfsync', 'always'];
// Two clients told apart by source address (all of 127.0.0.0/8 is loopback on Linux).
const CLIENTS = [
  { name: 'closed', address: '127.0.0.1', failMode: 'closed' },
  { name: 'open', address: '127.0.0.2', failMode: 'open' },
] as const;

describe('Redis restarted under a running system', () => {
  const secret = randomBytes(16).toString('hex');
  const sealingKey = newSealingKey();
  const seed = randomBytes(16);
  const keyPrefix = '{rmfa}';
  const dir = mkdtempSync(join(tmpdir(), 'rmfa-restart-'));
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let system: Awaited<ReturnType<typeof startSystem>>;
  let nextUser = 0;

  /** A TOTP login of a fresh user with the current step's code, from `client`'s address. */
  async function login(client: (typeof CLIENTS)[number]) {
    const index = nextUser++;
    const code = generateHotp(userSecret(seed, index), totpStep(Date.now() / 1000, 30), 6, 'SHA1');
    return openLogin({ secret, user: userName(index), password: `,${code}`, bindAddress: client.address });
  }

  beforeAll(async () => {
    redis = await startRedisServer({ dir, args: REDIS_ARGS });
    await enrollTotpUsers({ redisUrl: redis.url, keyPrefix, sealingKey, seed, count: 200 });
    system = await startSystem({
      configYaml: systemConfigYaml({
        redisUrl: redis.url,
        keyPrefix,
        sealingKey,
        clients: CLIENTS.map((c) => benchClient(secret, { name: c.name, address: `${c.address}/32`, failMode: c.failMode })),
        radius: { statusServerPerSecond: 100 },
      }),
      roles: ['ingress', 'worker', 'results'],
      output: 'ignore',
    });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('is unready and silent while Redis is down, and serves every client again after it returns', () =>
    system.whileRunning(async () => {
      const [ingress] = system.byRole('ingress');
      const port = ingress!.ports.radius;
      const ops = ingress!.ports.ops;
      const sockets: Awaited<ReturnType<typeof openLogin>>[] = [];
      const open = async <T extends Awaited<ReturnType<typeof openLogin>>>(made: Promise<T>): Promise<T> => {
        const socket = await made;
        sockets.push(socket);
        return socket;
      };
      try {
        for (const client of CLIENTS) {
          const before = await (await open(login(client))).untilAnswered([port], { intervalMs: 3_000, timeoutMs: 60_000 });
          expect(before?.code).toBe(Code.AccessAccept);
        }
        const probe = await open(openLogin({ secret, user: '', password: '', statusServer: true }));
        expect((await probe.untilAnswered([port], { timeoutMs: 30_000 }))?.code).toBe(Code.AccessAccept);

        await redis.stop();
        await expect.poll(() => isReady(ops), { timeout: 30_000 }).toBe(false);
        const dropped = (): Promise<number> => metricValue(ops, 'radius_packets_dropped_total', { reason: 'redis_unavailable' });
        const droppedBefore = await dropped();
        const statusProbe = await open(openLogin({ secret, user: '', password: '', statusServer: true }));
        statusProbe.send(port);
        const during = await Promise.all(CLIENTS.map((client) => open(login(client))));
        for (const attempt of during) attempt.send(port);
        // Each of the three was dropped (counted), none answered.
        await expect.poll(dropped, { timeout: 30_000 }).toBeGreaterThanOrEqual(droppedBefore + 3);
        expect(statusProbe.replies).toHaveLength(0);
        for (const attempt of during) expect(attempt.replies).toHaveLength(0);

        redis = await startRedisServer({ port: redis.port, dir, args: REDIS_ARGS });
        const back = performance.now();
        await expect.poll(() => isReady(ops), { timeout: 30_000 }).toBe(true);
        // The NAS retransmits what it sent during the outage: now admitted and accepted.
        const retried = await Promise.all(during.map((attempt) => attempt.untilAnswered([port], { intervalMs: 500, timeoutMs: 60_000 })));
        for (const reply of retried) expect(reply?.code).toBe(Code.AccessAccept);
        for (const client of CLIENTS) {
          const after = await (await open(login(client))).untilAnswered([port], { intervalMs: 500, timeoutMs: 60_000 });
          expect(after?.code).toBe(Code.AccessAccept);
        }
        expect((await statusProbe.untilAnswered([port], { intervalMs: 500, timeoutMs: 30_000 }))?.code).toBe(Code.AccessAccept);
        console.log(`full service ${((performance.now() - back) / 1000).toFixed(2)} s after Redis answered again`);
      } finally {
        await Promise.all(sockets.map((s) => s.close()));
      }
    }), 300_000);
});
