// Redis Cluster: three primaries on loopback, every role connected through `redis.cluster`, BullMQ
// and every key under the hash-tag prefix `{rmfa}` (one slot). The login suite passes on it: TOTP
// in the password (accepted, wrong, replayed), a retransmission answered with identical bytes,
// push approved and denied, an Access-Challenge answered with its State, Status-Server.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePhone, type FakePhone } from '@radius-mfa/testing';
import { Attr, Code, findAttribute } from '@radius-mfa/radius-protocol';
import { generateHotp, totpStep } from '@radius-mfa/mfa';
import { benchClient, newSealingKey, startSystem, systemConfigYaml } from '../../bench/_lib/system.mjs';
import { enrollTotpUsers, userName, userSecret } from '../../bench/_lib/totp-population.mjs';
import { enrollPushUsers } from '../../bench/_lib/push-population.mjs';
import { openLogin } from '../../bench/_lib/single-login.mjs';
import { answerPush } from '../../bench/_lib/phone-approve.mjs';
import { startRedisCluster } from '../../bench/_lib/redis-topology.mjs';

describe('Redis Cluster (three primaries, hash-tag prefix)', () => {
  const secret = randomBytes(16).toString('hex');
  const sealingKey = newSealingKey();
  const seed = randomBytes(16);
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
  let phone: FakePhone;
  let system: Awaited<ReturnType<typeof startSystem>>;
  let port: number;
  const sockets: Awaited<ReturnType<typeof openLogin>>[] = [];

  async function login(options: Parameters<typeof openLogin>[0]) {
    const socket = await openLogin(options);
    sockets.push(socket);
    return socket;
  }
  const codeFor = (index: number, stepOffset = 0): string => generateHotp(userSecret(seed, index), totpStep(Date.now() / 1000, 30) + stepOffset, 6, 'SHA1');
  const answer = async (options: Parameters<typeof openLogin>[0]) => (await login(options)).untilAnswered([port], { intervalMs: 2_000, timeoutMs: 60_000 });

  beforeAll(async () => {
    cluster = await startRedisCluster();
    phone = await startFakePhone();
    await enrollTotpUsers({ redisUrl: cluster.urls[0]!, clusterNodes: cluster.urls, keyPrefix: '{rmfa}', sealingKey, seed, count: 10 });
    await enrollPushUsers({ redisUrl: cluster.urls[0]!, clusterNodes: cluster.urls, keyPrefix: '{rmfa}', sealingKey, count: 2, namePrefix: 'p' });
    system = await startSystem({
      configYaml: systemConfigYaml({
        redisUrl: cluster.urls[0]!,
        redis: { cluster: { nodes: cluster.urls } },
        sealingKey,
        clients: [
          benchClient(secret, { name: 'append', address: '127.0.0.1/32', methods: ['totp', 'push'] }),
          benchClient(secret, { name: 'challenge', address: '127.0.0.2/32', prompt: 'challenge', methods: ['totp'] }),
        ],
        mfa: { push: { notifier: { type: 'webhook', url: phone.pushUrl }, timeoutSeconds: 45 } },
      }),
      roles: ['ingress', 'worker', 'results'],
      output: 'ignore',
    });
    port = system.byRole('ingress')[0]!.ports.radius;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await system?.stop();
    await phone?.close();
    await cluster?.stop();
  }, 60_000);

  it('TOTP in the password: accepted, a retransmission gets identical bytes, wrong and replayed codes rejected', () =>
    system.whileRunning(async () => {
      const code = codeFor(0);
      const first = await login({ secret, user: userName(0), password: `,${code}` });
      const accepted = await first.untilAnswered([port], { timeoutMs: 60_000 });
      expect(accepted?.code).toBe(Code.AccessAccept);
      first.send(port);
      const again = await first.nextReply(30_000, 1);
      expect(again?.bytes.equals(accepted!.bytes)).toBe(true);

      const wrong = code === '000000' ? '000001' : '000000';
      expect((await answer({ secret, user: userName(1), password: `,${wrong}` }))?.code).toBe(Code.AccessReject);
      expect((await answer({ secret, user: userName(0), password: `,${code}` }))?.code).toBe(Code.AccessReject);
    }), 120_000);

  it('push: approved is accepted, denied is rejected, one push each', () =>
    system.whileRunning(async () => {
      const approved = answer({ secret, user: 'p0', password: ',push' });
      expect(await answerPush(await phone.nextPush(60_000))).toBe(200);
      expect((await approved)?.code).toBe(Code.AccessAccept);
      const denied = answer({ secret, user: 'p1', password: ',push' });
      expect(await answerPush(await phone.nextPush(60_000), { deny: true })).toBe(200);
      expect((await denied)?.code).toBe(Code.AccessReject);
      expect(phone.pushes.map((p) => p.user)).toEqual(['p0', 'p1']);
    }), 120_000);

  it('challenge: the code sent back with the State is accepted', () =>
    system.whileRunning(async () => {
      const challenge = await answer({ secret, user: userName(2), password: '', bindAddress: '127.0.0.2' });
      expect(challenge?.code).toBe(Code.AccessChallenge);
      const state = findAttribute(challenge!.packet!, Attr.State);
      expect(state).toBeDefined();
      expect(findAttribute(challenge!.packet!, Attr.ReplyMessage)).toBeDefined();
      const accepted = await answer({ secret, user: userName(2), password: codeFor(2), bindAddress: '127.0.0.2', state });
      expect(accepted?.code, findAttribute(accepted!.packet!, Attr.ReplyMessage)?.toString()).toBe(Code.AccessAccept);
    }), 120_000);

  it('answers Status-Server', () =>
    system.whileRunning(async () => {
      expect((await answer({ secret, user: '', password: '', statusServer: true }))?.code).toBe(Code.AccessAccept);
    }), 60_000);
});
