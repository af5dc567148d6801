// Redis Sentinel failover under load: a primary, a replica and three sentinels on loopback; every
// role connects through the sentinels (config `redis.sentinel`). The primary is killed (-9) while
// TOTP logins stream in, each retransmitted as a NAS would; the replica is promoted and logins
// continue. The disruption window (the longest gap between two accepted logins) is printed.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '@radius-mfa/radius-protocol';
import { generateHotp, totpStep } from '@radius-mfa/mfa';
import { benchClient, newSealingKey, startSystem, systemConfigYaml } from '../../bench/_lib/system.mjs';
import { enrollTotpUsers, userName, userSecret } from '../../bench/_lib/totp-population.mjs';
import { openLogin } from '../../bench/_lib/single-login.mjs';
import { startSentinelSet } from '../../bench/_lib/redis-topology.mjs';

const LOGINS_PER_SECOND = 10;
const USERS = 600;

describe('Redis Sentinel failover', () => {
  const secret = randomBytes(16).toString('hex');
  const sealingKey = newSealingKey();
  const seed = randomBytes(16);
  let topology: Awaited<ReturnType<typeof startSentinelSet>>;
  let system: Awaited<ReturnType<typeof startSystem>>;

  beforeAll(async () => {
    topology = await startSentinelSet('rmfa');
    await enrollTotpUsers({ redisUrl: topology.primary.url, keyPrefix: '{rmfa}', sealingKey, seed, count: USERS });
    system = await startSystem({
      configYaml: systemConfigYaml({
        redisUrl: 'redis://127.0.0.1:6379',
        redis: { sentinel: { name: topology.masterName, sentinels: topology.addresses } },
        sealingKey,
        clients: [benchClient(secret)],
      }),
      roles: ['ingress', 'worker', 'results'],
      output: 'ignore',
    });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await topology?.stop();
  }, 60_000);

  it('keeps accepting logins after the primary dies and the replica is promoted', () =>
    system.whileRunning(async () => {
      const [ingress] = system.byRole('ingress');
      const port = ingress!.ports.radius;
      const outcomes: { sentAt: number; answeredAt: number; code: number | undefined }[] = [];
      let index = 0;
      let stop = false;
      const pending: Promise<void>[] = [];
      const stream = (async () => {
        while (!stop && index < USERS) {
          const user = index++;
          pending.push(
            (async () => {
              const code = generateHotp(userSecret(seed, user), totpStep(Date.now() / 1000, 30), 6, 'SHA1');
              const login = await openLogin({ secret, user: userName(user), password: `,${code}` });
              const sentAt = performance.now();
              const reply = await login.untilAnswered([port], { intervalMs: 1_000, timeoutMs: 45_000 });
              outcomes.push({ sentAt, answeredAt: performance.now(), code: reply?.code });
              await login.close();
            })(),
          );
          await new Promise((r) => setTimeout(r, 1000 / LOGINS_PER_SECOND));
        }
      })();

      await expect.poll(() => outcomes.filter((o) => o.code === Code.AccessAccept).length, { timeout: 60_000 }).toBeGreaterThanOrEqual(10);
      const killedAt = performance.now();
      topology.primary.process.kill('SIGKILL');
      await expect.poll(() => topology.currentMasterPort(), { timeout: 60_000, interval: 250 }).toBe(topology.replica.port);
      const promotedAt = performance.now();
      // Logins sent once the roles had a moment to follow the promotion are all accepted.
      const settled = promotedAt + 3_000;
      await expect
        .poll(() => outcomes.filter((o) => o.sentAt > settled && o.code === Code.AccessAccept).length, { timeout: 90_000, interval: 250 })
        .toBeGreaterThanOrEqual(20);
      stop = true;
      await stream;
      await Promise.all(pending);

      const after = outcomes.filter((o) => o.sentAt > settled);
      expect(after.length).toBeGreaterThan(0);
      for (const o of after) expect(o.code).toBe(Code.AccessAccept);
      const accepted = outcomes
        .filter((o) => o.code === Code.AccessAccept)
        .map((o) => o.answeredAt)
        .sort((a, b) => a - b);
      let window = 0;
      for (let i = 1; i < accepted.length; i++) if (accepted[i - 1]! >= killedAt - 1_000) window = Math.max(window, accepted[i]! - accepted[i - 1]!);
      console.log(
        JSON.stringify({
          promotedAfterMs: Math.round(promotedAt - killedAt),
          disruptionWindowMs: Math.round(window),
          logins: outcomes.length,
          accepted: accepted.length,
          rejected: outcomes.filter((o) => o.code === Code.AccessReject).length,
          unanswered: outcomes.filter((o) => o.code === undefined).length,
        }),
      );
    }), 300_000);
});
