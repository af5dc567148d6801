// explain: the worker's policy for a client and user, with enrollments read from a real Redis.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '@radius-mfa/contracts';
import { createPushLimiter, createSealerFromBase64, createUserStore, type UserStore } from '@radius-mfa/mfa';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { runCli } from './cli-harness.js';

let redisServer: RedisHandle;
let redis: Redis;
let store: UserStore;
let file: string;
let prefix: string;
const dir = mkdtempSync(join(tmpdir(), 'rmfa-explain-'));
const key = randomBytes(32).toString('base64');
const hash = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA';

interface Explained {
  outcome: string;
  reason: string;
  message?: string;
  groups: string[];
  steps: { step: string; result: string }[];
}

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  prefix = redisServer.prefix();
  store = createUserStore({ redis, keys: redisKeys(prefix), sealer: createSealerFromBase64([{ id: 'k1', key }]), totp: { issuer: 'x', digits: 6, period: 30, algorithm: 'SHA1' } });
  file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      `redis: { url: "${redisServer.url}", keyPrefix: "${prefix}" }`,
      `security: { sealingKeys: [{ id: k1, key: "${key}" }] }`,
      'mfa: { push: { timeoutSeconds: 30, notifier: { type: webhook, url: "http://127.0.0.1:9/push" } } }',
      'directories:',
      `  local: { users: [{ name: alice, passwordHash: "${hash}", groups: [vpn-users] }, { name: bob, passwordHash: "${hash}", groups: [admins] }] }`,
      'clients:',
      '  - { name: vpn, address: 10.0.0.0/8, secret: "vpn-secret-0123456789", firstFactor: local, prompt: challenge, methods: [totp, push], requireGroups: [vpn-users, admins], bypass: { groups: [admins] } }',
      '  - { name: rdg, address: 10.1.0.0/16, secret: "rdg-secret-0123456789", firstFactor: none, prompt: auto, methods: [push], unenrolled: enroll }',
    ].join('\n'),
  );
  await store.enrollTotp('alice', { confirmed: true });
  await store.enrollPush('alice');
});
afterAll(async () => {
  redis.disconnect();
  await redisServer.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function explain(args: string[]): Promise<{ code: number; result: Explained }> {
  const run = await runCli(['explain', '-c', file, '--json', ...args]);
  expect(run.stderr).toBe('');
  return { code: run.code, result: JSON.parse(run.stdout) as Explained };
}

describe('radius-mfa explain', () => {
  it('a user with TOTP and push on a challenge client gets the menu; groups come from the directory', async () => {
    const { code, result } = await explain(['--client', 'vpn', '--user', 'CONTOSO\\Alice']);
    expect(code).toBe(0);
    expect(result).toMatchObject({ outcome: 'second-factor', reason: 'menu', groups: ['vpn-users'] });
    expect(result.message).toContain('1 ');
    expect(result.steps.find((s) => s.step === 'methods')?.result).toContain('user can use totp, push');
  });

  it('a bypass group skips the second factor', async () => {
    const { code, result } = await explain(['--client', 'vpn', '--user', 'bob']);
    expect(code).toBe(0);
    expect(result).toMatchObject({ outcome: 'accept', reason: 'bypass-group' });
  });

  it('a user in none of requireGroups is rejected (exit 1)', async () => {
    const { code, result } = await explain(['--client', 'vpn', '--user', 'alice', '--groups', 'contractors']);
    expect(code).toBe(1);
    expect(result).toMatchObject({ outcome: 'reject', reason: 'not-in-required-group' });
  });

  it('after a fraud report the user is rejected, and the step says how to unlock', async () => {
    await store.lockForFraud('alice');
    try {
      const { code, result } = await explain(['--client', 'vpn', '--user', 'alice']);
      expect(code).toBe(1);
      expect(result.reason).toBe('fraud-locked');
      expect(result.steps.at(-1)?.result).toContain('users unlock alice');
    } finally {
      await store.unlock('alice');
    }
  });

  it('an unenrolled user on an auto (RD Gateway) client is sent to enroll', async () => {
    const { code, result } = await explain(['--client', 'rdg', '--user', 'carol']);
    expect(code).toBe(0);
    expect(result).toMatchObject({ outcome: 'enroll', reason: 'unenrolled-enroll' });
  });

  it('a full push window: the auto client rejects as the worker would, the menu client says pushes wait; unlock ends it', async () => {
    await store.enrollTotp('dora', { confirmed: true });
    await store.enrollPush('dora');
    // The worker's own limiter, with the config's limits (the defaults: 3 a minute).
    const limiter = createPushLimiter({ redis, keys: redisKeys(prefix), limits: { perMinute: 3, perHour: 10 }, suppressAfterDenials: 3 });
    for (let i = 0; i < 3; i++) expect((await limiter.checkPushAllowed('dora')).decision).toBe('allowed');
    expect((await limiter.checkPushAllowed('dora')).decision).toBe('rate-limited');

    const auto = await explain(['--client', 'rdg', '--user', 'dora', '--groups', '']);
    expect(auto.code).toBe(1);
    expect(auto.result).toMatchObject({ outcome: 'reject', reason: 'push-rate-limited' });
    expect(auto.result.message).toMatch(/^Too many sign-in requests \(too many pushes, retry in \d+ s\)/);
    const step = auto.result.steps.find((s) => s.step === 'push limit')?.result;
    expect(step).toMatch(/refused for another \d+ s: 3 of 3 this minute \(mfa\.push\.limits\.perMinute\)/);
    expect(step).toContain('radius-mfa users unlock dora');

    // With a menu a code still works: the outcome stands, the step tells why a push would not come.
    const menu = await explain(['--client', 'vpn', '--user', 'dora', '--groups', 'vpn-users']);
    expect(menu.result).toMatchObject({ outcome: 'second-factor', reason: 'menu' });
    expect(menu.result.steps.some((s) => s.step === 'push limit')).toBe(true);

    expect((await runCli(['users', 'unlock', 'dora', '-c', file])).code).toBe(0);
    const after = await explain(['--client', 'rdg', '--user', 'dora', '--groups', '']);
    expect(after.result).toMatchObject({ outcome: 'second-factor', reason: 'push' });
    expect(after.result.steps.some((s) => s.step === 'push limit')).toBe(false);
  });

  it('prints readable steps, and exits 2 for an unknown client', async () => {
    const run = await runCli(['explain', '-c', file, '--client', 'rdg', '--user', 'alice']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('prompt auto: a push is sent at once');
    expect(run.stdout).toContain('decision: second-factor (push)');
    const unknown = await runCli(['explain', '-c', file, '--client', 'nope', '--user', 'alice']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('clients: vpn, rdg');
  });
});
