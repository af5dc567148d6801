// kill -9 of an ingress that holds pending push logins: the NAS retransmits to another ingress,
// which joins the same transactions (RFC 5080 §2.2.2); approvals given while no ingress waited are
// not lost (answered from the shared response cache); one push per login.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePhone, startRedis, type FakePhone, type RedisHandle } from '@radius-mfa/testing';
import { Code } from '@radius-mfa/radius-protocol';
import { benchClient, newSealingKey, startSystem, systemConfigYaml } from '../../bench/_lib/system.mjs';
import { enrollPushUsers } from '../../bench/_lib/push-population.mjs';
import { openLogin } from '../../bench/_lib/single-login.mjs';
import { answerPush } from '../../bench/_lib/phone-approve.mjs';

const USERS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];

describe('kill -9 an ingress holding pending logins', () => {
  const secret = randomBytes(16).toString('hex');
  const sealingKey = newSealingKey();
  let redis: RedisHandle;
  let phone: FakePhone;
  let system: Awaited<ReturnType<typeof startSystem>>;

  beforeAll(async () => {
    redis = await startRedis();
    const keyPrefix = redis.prefix();
    phone = await startFakePhone();
    await enrollPushUsers({ redisUrl: redis.url, keyPrefix, sealingKey, count: USERS.length, namePrefix: 'k' });
    system = await startSystem({
      configYaml: systemConfigYaml({
        redisUrl: redis.url,
        keyPrefix,
        sealingKey,
        clients: [benchClient(secret, { prompt: 'auto', methods: ['push'] })],
        mfa: { push: { notifier: { type: 'webhook', url: phone.pushUrl }, timeoutSeconds: 45 } },
      }),
      roles: ['ingress', 'ingress', 'worker', 'results'],
      output: 'ignore',
    });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await phone?.close();
    await redis?.stop();
  }, 60_000);

  it('answers retransmissions from the survivor, loses no approval, pushes once per login', () =>
    system.whileRunning(async () => {
      const [doomed, survivor] = system.byRole('ingress');
      const logins = await Promise.all(USERS.map((user) => openLogin({ secret, user, password: '' })));
      try {
        for (const login of logins) login.send(doomed!.ports.radius);
        const pushes = new Map<string, Awaited<ReturnType<FakePhone['nextPush']>>>();
        for (let i = 0; i < logins.length; i++) {
          const push = await phone.nextPush(60_000);
          pushes.set(push.user, push);
        }
        await doomed!.kill('SIGKILL');

        // Half approved while no ingress waits on them; half after the survivor joined.
        const early = logins.slice(0, 3);
        const late = logins.slice(3);
        for (const login of early) expect(await answerPush(pushes.get(login.user))).toBe(200);
        for (const login of late) login.send(survivor!.ports.radius);
        for (const login of late) expect(await answerPush(pushes.get(login.user))).toBe(200);

        const replies = await Promise.all(logins.map((login) => login.untilAnswered([survivor!.ports.radius], { timeoutMs: 60_000 })));
        for (const reply of replies) {
          expect(reply?.error).toBeUndefined();
          expect(reply?.code).toBe(Code.AccessAccept);
        }
        expect(phone.pushes.map((p) => p.user).sort()).toEqual([...USERS].sort());
        expect(doomed!.child.signalCode).toBe('SIGKILL');
      } finally {
        await Promise.all(logins.map((login) => login.close()));
      }
    }), 180_000);
});
