// A worker process killed mid-job (SIGKILL, while its push is on the wire): BullMQ's stalled check
// hands the job to another worker, which finds the transaction's challenge and sends no second push.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { createUserStore } from '@radius-mfa/mfa';
import { Code } from '@radius-mfa/radius-protocol';
import { deliverPreparedVerdict } from '@radius-mfa/transactions';
import type { Config } from '@radius-mfa/config';
import { CLIENT_SECRET, SEALING_KEY, startFakePhone, startIngress, startTestWorker, testConfig, type FakePhone, type Ingress, type RunningWorker } from './harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('a worker killed mid-job', () => {
  let redisHandle: RedisHandle;
  let phone: FakePhone;
  let config: Config;
  let configJson: string;
  let ingress: Ingress;
  let child: ChildProcess | undefined;
  let survivor: RunningWorker | undefined;
  let commands: Redis;

  beforeAll(async () => {
    // The child runs the built package (test/global-setup.ts builds it before any suite).
    redisHandle = await startRedis();
    // The first push is never answered: the worker that sent it is still mid-job when killed.
    phone = await startFakePhone({ hangFirst: true });
    const document = {
      redis: { url: redisHandle.url, keyPrefix: redisHandle.prefix() },
      security: { sealingKeys: [{ id: 'k1', key: SEALING_KEY }] },
      api: { listen: 'http://127.0.0.1:8080', publicUrl: 'https://mfa.example.test' },
      clients: [{ name: 'rdg', address: '127.0.0.1', secret: CLIENT_SECRET, firstFactor: 'none', prompt: 'auto', methods: ['push'], timeoutSeconds: 60 }],
      mfa: { push: { numberMatching: false, timeoutSeconds: 60, notifier: { type: 'webhook', url: phone.url } } },
    };
    configJson = JSON.stringify(document);
    config = testConfig(redisHandle, document.redis.keyPrefix, { clients: document.clients, mfa: document.mfa });
    ingress = await startIngress(redisHandle, config);
    commands = new Redis(redisHandle.url);
    await createUserStore({ redis: commands, keys: ingress.keys, sealer: ingress.sealer, totp: config.mfa.totp }).enrollPush('alice');
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await survivor?.close();
    await ingress?.close();
    await phone?.close();
    commands?.disconnect();
    await redisHandle?.stop();
  });

  it('the retry sends no second push, and the approval still answers the request', async () => {
    child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/worker-child.mjs', import.meta.url)), configJson], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (data: Buffer) => data.toString().includes('ready') && resolve());
      child!.once('exit', (code) => reject(new Error(`worker child exited ${code}`)));
    });

    const { txn, response } = await ingress.send({ user: 'alice' });
    await phone.nextPush(0);
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    // Another worker takes the stalled job once the dead one's lock runs out.
    survivor = startTestWorker(redisHandle, config, { lockDurationMs: 2_000 });
    const retried = new Promise<void>((resolve) => survivor!.worker.on('completed', (job) => job.data.txn === txn && resolve()));
    await retried;
    expect(phone.pushes).toHaveLength(1);
    expect(phone.pushes[0]!['user']).toBe('alice');

    const delivered = await deliverPreparedVerdict(commands, ingress.keys, txn, 'accept');
    expect(delivered.decided).toBe(true);
    expect((await response).code).toBe(Code.AccessAccept);
  }, 120_000);
});
