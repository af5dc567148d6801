// A flood of random datagrams and of wrong-secret requests (PROTOCOL-CASES 41) from the client's
// address and from an unknown one, while legitimate TOTP logins continue (retransmitting as a NAS
// does): the ingress does not crash, stays ready, keeps its memory bounded, and accepts every
// legitimate login. The legitimate logins' p99 and the ingress's RSS are printed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { Code } from '@radius-mfa/radius-protocol';
import { generateHotp, totpStep } from '@radius-mfa/mfa';
import { benchClient, isReady, metricValue, newSealingKey, startSystem, systemConfigYaml } from '../../bench/_lib/system.mjs';
import { enrollTotpUsers, userName, userSecret } from '../../bench/_lib/totp-population.mjs';
import { openLogin } from '../../bench/_lib/single-login.mjs';
import { processRssBytes } from '../../bench/_lib/process-cpu.mjs';
import { percentile } from '../../bench/_lib/stats.mjs';

const floodScript = fileURLToPath(new URL('../../bench/_lib/flood.mjs', import.meta.url));
const FLOOD_SECONDS = 12;
const LOGINS = 60;
const MiB = 2 ** 20;

describe('flood of random and wrong-secret datagrams during legitimate logins', () => {
  const secret = randomBytes(16).toString('hex');
  const sealingKey = newSealingKey();
  const seed = randomBytes(16);
  let redis: RedisHandle;
  let system: Awaited<ReturnType<typeof startSystem>>;

  beforeAll(async () => {
    redis = await startRedis();
    const keyPrefix = redis.prefix();
    await enrollTotpUsers({ redisUrl: redis.url, keyPrefix, sealingKey, seed, count: LOGINS });
    system = await startSystem({
      configYaml: systemConfigYaml({ redisUrl: redis.url, keyPrefix, sealingKey, clients: [benchClient(secret, { address: '127.0.0.1/32' })] }),
      roles: ['ingress', 'worker', 'results'],
      output: 'ignore',
    });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await redis?.stop();
  }, 60_000);

  it('survives with bounded memory and accepts every legitimate login', () =>
    system.whileRunning(async () => {
      const [ingress] = system.byRole('ingress');
      const port = ingress!.ports.radius;
      const rssBefore = processRssBytes(ingress!.pid);
      const floods = ['127.0.0.1', '127.0.0.9'].map((address) => {
        const child = spawn(process.execPath, [floodScript, String(port), String(FLOOD_SECONDS), address], { stdio: ['ignore', 'pipe', 'inherit'] });
        let output = '';
        child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
        return { child, exited: once(child, 'exit'), output: () => output };
      });
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, processRssBytes(ingress!.pid) || 0)), 200);
      try {
        // Legitimate logins spread over the flood, ten at a time.
        const latencies: number[] = [];
        const codes: (number | undefined)[] = [];
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < LOGINS) {
            const index = next++;
            const code = generateHotp(userSecret(seed, index), totpStep(Date.now() / 1000, 30), 6, 'SHA1');
            const login = await openLogin({ secret, user: userName(index), password: `,${code}` });
            const start = performance.now();
            const reply = await login.untilAnswered([port], { intervalMs: 1_000, timeoutMs: 60_000 });
            latencies.push(performance.now() - start);
            codes.push(reply?.code);
            await login.close();
            await new Promise((r) => setTimeout(r, (FLOOD_SECONDS * 1000 * 10) / LOGINS / 2));
          }
        };
        await Promise.all(Array.from({ length: 10 }, lane));
        const results = await Promise.all(floods.map(async (f) => (await f.exited, JSON.parse(f.output()) as { sent: number })));

        expect(codes).toEqual(Array.from({ length: LOGINS }, () => Code.AccessAccept));
        expect(ingress!.child.exitCode).toBeNull();
        expect(ingress!.child.signalCode).toBeNull();
        expect(await isReady(ingress!.ports.ops)).toBe(true);
        const dropped = await metricValue(ingress!.ports.ops, 'radius_packets_dropped_total');
        expect(dropped).toBeGreaterThan(0);
        // Bounded: nothing of the flood is kept (no pending entry, no cache) past its datagram.
        expect(rssPeak).toBeLessThan(512 * MiB);
        latencies.sort((a, b) => a - b);
        console.log(
          JSON.stringify({
            floodDatagrams: results.reduce((n, r) => n + r.sent, 0),
            droppedByIngress: dropped,
            legitimateP50Ms: Number(percentile(latencies, 0.5).toFixed(1)),
            legitimateP99Ms: Number(percentile(latencies, 0.99).toFixed(1)),
            ingressRssMiB: { before: Math.round(rssBefore / MiB), peak: Math.round(rssPeak / MiB), after: Math.round(processRssBytes(ingress!.pid) / MiB) },
          }),
        );
      } finally {
        clearInterval(sampler);
        for (const f of floods) if (f.child.exitCode === null) f.child.kill('SIGKILL');
      }
    }), 300_000);
});
