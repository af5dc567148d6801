// The worker role as `radius-mfa start --role worker` runs it: from a RoleContext, with metrics,
// readiness and an orderly stop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createRoleContext, type RoleContext, type RunningRole } from '@radius-mfa/runtime';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { base32Decode, createUserStore, generateTotp } from '@radius-mfa/mfa';
import { Code } from '@radius-mfa/radius-protocol';
import { startWorker } from '@radius-mfa/mfa-worker';
import type { Config } from '@radius-mfa/config';
import { CLIENT_SECRET, startIngress, testConfig, type Ingress } from './harness.js';

describe('startWorker', () => {
  let redisHandle: RedisHandle;
  let config: Config;
  let ingress: Ingress;
  let context: RoleContext;
  let closeRedis: () => Promise<void>;
  let role: RunningRole | undefined;
  let commands: Redis;

  beforeAll(async () => {
    redisHandle = await startRedis();
    config = testConfig(redisHandle, redisHandle.prefix(), {
      clients: [{ name: 'vpn', address: '127.0.0.1', secret: CLIENT_SECRET, firstFactor: 'none', prompt: 'append', methods: ['totp'] }],
    });
    ingress = await startIngress(redisHandle, config);
    const handle = createRoleContext({ config, logger: pino({ level: 'silent' }) });
    context = handle.context;
    closeRedis = () => handle.closeRedisConnections();
    commands = new Redis(redisHandle.url);
  });

  afterAll(async () => {
    await role?.stop();
    await closeRedis?.();
    await ingress?.close();
    commands?.disconnect();
    await redisHandle?.stop();
  });

  it('decides jobs, counts them in the metrics, reports readiness and queue counts, and stops', async () => {
    role = await startWorker(context);
    const users = createUserStore({ redis: commands, keys: ingress.keys, sealer: ingress.sealer, totp: config.mfa.totp });
    const { secret } = await users.enrollTotp('alice', { confirmed: true });
    const result = await ingress.authenticate({ user: 'alice', password: `,${generateTotp(base32Decode(secret), { time: Date.now() / 1000 })}` });
    expect(result.code).toBe(Code.AccessAccept);

    // The queue gauge samples every 5 s on its own connection; its first sample may come back
    // before or after the job was taken, so wait (bounded) for a sample that saw it done.
    const drained = /bullmq_job_count\{queue="auth",state="waiting"\} 0/;
    let metrics = await context.registry.metrics();
    for (let tries = 0; !drained.test(metrics) && tries < 150; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      metrics = await context.registry.metrics();
    }
    expect(metrics).toMatch(/mfa_challenges_total\{method="totp",outcome="accept"\} 1/);
    expect(metrics).toMatch(/mfa_auth_duration_seconds_count\{method="totp",outcome="accept"\} 1/);
    expect(metrics).toMatch(/bullmq_job_count\{queue="auth",state="waiting"\} 0/);
    expect((await context.readiness.evaluate()).ready).toBe(true);

    await role.stop();
    role = undefined;
    // Stopped: its worker no longer takes jobs (a new one stays waiting).
    await ingress.send({ user: 'alice', password: ',000000' });
    expect((await ingress.queue.getJobCounts('waiting'))['waiting']).toBe(1);
  });
});
