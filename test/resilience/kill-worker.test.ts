// kill -9 of a worker in the middle of jobs: push jobs held inside the notifier call (the phone
// service does not answer yet) and TOTP logins streaming. BullMQ's stalled check hands the jobs
// to another worker, which finds each transaction's challenge (no second push) and accepts a
// retried TOTP job's step for its own transaction only (the step is never consumed twice), and
// counts each push the killed worker had in flight once in mfa_provider_requests_total.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { Code } from '@radius-mfa/radius-protocol';
import { QueueNames } from '@radius-mfa/contracts';
import { generateHotp, totpStep } from '@radius-mfa/mfa';
import { benchClient, metricValue, newSealingKey, startSystem, systemConfigYaml } from '../../bench/_lib/system.mjs';
import { enrollPushUsers } from '../../bench/_lib/push-population.mjs';
import { enrollTotpUsers, userName, userSecret } from '../../bench/_lib/totp-population.mjs';
import { openLogin } from '../../bench/_lib/single-login.mjs';
import { answerPush } from '../../bench/_lib/phone-approve.mjs';
import { startPushReceiver } from '../../bench/_lib/push-receiver.mjs';

const PUSH_USERS = ['w0', 'w1', 'w2', 'w3'];
const TOTP_USERS = 20;

describe('kill -9 a worker mid-job', () => {
  const secret = randomBytes(16).toString('hex');
  const sealingKey = newSealingKey();
  const seed = randomBytes(16);
  let redis: RedisHandle;
  let keyPrefix: string;
  let webhook: Awaited<ReturnType<typeof startPushReceiver>>;
  let system: Awaited<ReturnType<typeof startSystem>>;
  let queueConnection: Redis;
  let queue: Queue;

  beforeAll(async () => {
    redis = await startRedis();
    keyPrefix = redis.prefix();
    webhook = await startPushReceiver({ hold: true });
    await enrollPushUsers({ redisUrl: redis.url, keyPrefix, sealingKey, count: PUSH_USERS.length, namePrefix: 'w' });
    await enrollTotpUsers({ redisUrl: redis.url, keyPrefix, sealingKey, seed, count: TOTP_USERS });
    system = await startSystem({
      configYaml: systemConfigYaml({
        redisUrl: redis.url,
        keyPrefix,
        sealingKey,
        clients: [benchClient(secret, { methods: ['totp', 'push'], timeoutSeconds: 90 })],
        // The notifier waits for the held webhook longer than the test needs.
        mfa: { push: { notifier: { type: 'webhook', url: webhook.url }, timeoutSeconds: 60 } },
      }),
      roles: ['ingress', 'worker', 'results'],
      output: 'ignore',
    });
    queueConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue(QueueNames.auth, { connection: queueConnection, prefix: keyPrefix });
  }, 180_000);

  afterAll(async () => {
    await queue?.close();
    queueConnection?.disconnect();
    await system?.stop();
    await webhook?.close();
    await redis?.stop();
  }, 60_000);

  it('recovers the jobs on another worker: one push per login, every TOTP login accepted once', () =>
    system.whileRunning(async () => {
      const [ingress] = system.byRole('ingress');
      const [doomed] = system.byRole('worker');
      const port = ingress!.ports.radius;
      const pushLogins = await Promise.all(PUSH_USERS.map((user) => openLogin({ secret, user, password: ',push' })));
      // Codes for the next step: valid (window ±1) for the whole test, and never used before.
      const step = totpStep(Date.now() / 1000, 30) + 1;
      const codes = Array.from({ length: TOTP_USERS }, (_, i) => generateHotp(userSecret(seed, i), step, 6, 'SHA1'));
      const totpLogins = await Promise.all(codes.map((code, i) => openLogin({ secret, user: userName(i), password: `,${code}` })));
      const all = [...pushLogins, ...totpLogins];
      try {
        for (const login of pushLogins) login.send(port);
        await expect.poll(() => webhook.held.length, { timeout: 60_000 }).toBe(PUSH_USERS.length);

        // TOTP logins in flight while the worker dies; each retransmits as a NAS would.
        const totpReplies = Promise.all(totpLogins.map((login) => login.untilAnswered([port], { intervalMs: 3_000, timeoutMs: 120_000 })));
        await doomed!.kill('SIGKILL');
        await system.add('worker');
        webhook.release();

        // Every auth job ends (the stalled ones retried by the new worker) before pushes are counted.
        await expect
          .poll(async () => {
            const counts = await queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized');
            return Object.values(counts).reduce((a, b) => a + b, 0);
          }, { timeout: 90_000, interval: 500 })
          .toBe(0);
        expect(webhook.pushes.map((p) => p.user).sort()).toEqual([...PUSH_USERS].sort());
        // The killed worker's pushes were in flight, so it counted none of them; the worker that
        // took the jobs over found each push sent and counted it, once.
        const [successor] = system.byRole('worker').filter((w) => w !== doomed);
        expect(await metricValue(successor!.ports.ops, 'mfa_provider_requests_total', { provider: 'push-notifier' })).toBe(PUSH_USERS.length);

        for (const push of webhook.pushes) expect(await answerPush(push)).toBe(200);
        const pushReplies = await Promise.all(pushLogins.map((login) => login.untilAnswered([port], { intervalMs: 3_000, timeoutMs: 60_000 })));
        for (const reply of [...pushReplies, ...(await totpReplies)]) {
          expect(reply?.error).toBeUndefined();
          expect(reply?.code).toBe(Code.AccessAccept);
        }

        // The same code in a new request (a new transaction) is a replay: refused.
        const replay = await openLogin({ secret, user: userName(0), password: `,${codes[0]}` });
        all.push(replay);
        const refused = await replay.untilAnswered([port], { intervalMs: 3_000, timeoutMs: 60_000 });
        expect(refused?.code).toBe(Code.AccessReject);
      } finally {
        await Promise.all(all.map((login) => login.close()));
      }
    }), 300_000);
});
