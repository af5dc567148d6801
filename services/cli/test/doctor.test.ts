// doctor against real parts: a Redis (good, then with an evicting policy), dead LDAP and RADIUS
// upstreams, an HTTP notifier, and config warnings turned into findings with fixes.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '@radius-mfa/contracts';
import { createSealerFromBase64, createUserStore } from '@radius-mfa/mfa';
import { freeTcpPort, freeUdpPort, startRedis, type RedisHandle } from '@radius-mfa/testing';
import { runCli } from './cli-harness.js';

interface Finding {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix: string;
}

let redisServer: RedisHandle;
let redis: Redis;
let notifier: Server;
let notifierUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'rmfa-doctor-'));
const key = randomBytes(32).toString('base64');

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  notifier = createServer((_req, res) => res.writeHead(405).end());
  await new Promise<void>((resolve) => notifier.listen(0, '127.0.0.1', resolve));
  const address = notifier.address();
  notifierUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/push`;
});
afterAll(async () => {
  await redis.config('SET', 'maxmemory-policy', 'noeviction');
  redis.disconnect();
  await redisServer.stop();
  await new Promise((resolve) => notifier.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, [`redis: { url: "${redisServer.url}", keyPrefix: "${redisServer.prefix()}" }`, `security: { sealingKeys: [{ id: k1, key: "${key}" }] }`, ...lines].join('\n'));
  return file;
}

async function doctor(file: string): Promise<{ code: number; findings: Finding[] }> {
  const run = await runCli(['doctor', '--config', file, '--json']);
  const parsed = JSON.parse(run.stdout) as { ok: boolean; findings: Finding[] };
  expect(parsed.ok).toBe(run.code === 0);
  return { code: run.code, findings: parsed.findings };
}

const find = (findings: Finding[], check: string): Finding | undefined => findings.find((f) => f.check === check);

describe('radius-mfa doctor', () => {
  it('passes a healthy deployment: Redis, noeviction, the clock, the notifier, a strong secret', async () => {
    const file = write('good.yaml', [
      `mfa: { push: { timeoutSeconds: 30, notifier: { type: webhook, url: "${notifierUrl}", signingSecret: "${randomBytes(32).toString('base64')}" } } }`,
      'clients:',
      `  - { name: vpn, address: 127.0.0.1, secret: "${randomBytes(18).toString('base64')}", methods: [totp, push], timeoutSeconds: 55 }`,
    ]);
    await redis.config('SET', 'appendonly', 'yes');
    let result;
    try {
      result = await doctor(file);
    } finally {
      await redis.config('SET', 'appendonly', 'no');
    }
    const { code, findings } = result;
    expect(findings.filter((f) => f.status !== 'ok')).toEqual([]);
    expect(find(findings, 'redis persistence')?.detail).toBe('append-only file on');
    expect(code).toBe(0);
    expect(find(findings, 'redis')?.detail).toMatch(/answers \(Redis \d/);
    expect(find(findings, 'redis eviction policy')?.detail).toBe('noeviction');
    expect(find(findings, 'clock')?.status).toBe('ok');
    expect(find(findings, 'push notifier (webhook)')?.detail).toContain('HTTP 405');
    expect(find(findings, 'client vpn: secret strength')?.status).toBe('ok');
  });

  it('finds what is wrong and says how to fix it; exit 1', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const deadLdap = await freeTcpPort();
    const deadRadius = await freeUdpPort();
    const deadHttp = await freeTcpPort();
    const file = write('bad.yaml', [
      'directories:',
      `  ldap: { url: "ldap://127.0.0.1:${deadLdap}", bindDn: "cn=svc", bindPassword: "pw", userSearch: { base: "dc=x", filter: "(uid={user})" }, timeoutSeconds: 2 }`,
      `  radius: { servers: ["udp://127.0.0.1:${deadRadius}"], secret: "upstream-secret-123", timeoutSeconds: 1, retries: 0, requireMessageAuthenticator: false }`,
      `mfa: { push: { timeoutSeconds: 60, notifier: { type: webhook, url: "http://127.0.0.1:${deadHttp}/push" } } }`,
      'api: { publicUrl: "http://mfa.example.com" }',
      'clients:',
      '  - { name: vpn, address: 10.0.0.0/8, secret: "short-secret", firstFactor: ldap, methods: [push], timeoutSeconds: 30 }',
      '  - { name: wifi, address: 192.0.2.0/24, secret: "another-long-secret-xyz", firstFactor: radius, requireMessageAuthenticator: false }',
    ]);
    try {
      const { code, findings } = await doctor(file);
      expect(code).toBe(1);
      expect(find(findings, 'redis eviction policy')).toMatchObject({ status: 'fail', fix: expect.stringContaining('noeviction') });
      expect(find(findings, 'directory ldap')).toMatchObject({ status: 'fail', fix: expect.stringContaining('directories.ldap') });
      expect(find(findings, 'directory radius')).toMatchObject({ status: 'fail', fix: expect.stringContaining('directories.radius') });
      expect(find(findings, 'push notifier (webhook)')).toMatchObject({ status: 'fail', detail: expect.stringContaining('ECONNREFUSED') });
      expect(find(findings, 'client vpn: secret strength')).toMatchObject({ status: 'warn', fix: expect.stringContaining('openssl rand') });
      expect(find(findings, 'client vpn: NAS timeout')).toMatchObject({ status: 'warn', detail: expect.stringContaining('shorter than mfa.push.timeoutSeconds') });
      expect(find(findings, 'client wifi: secret strength')?.status).toBe('ok');
      expect(find(findings, 'client wifi: Message-Authenticator')).toMatchObject({ status: 'warn', detail: expect.stringContaining('BlastRADIUS') });
      expect(find(findings, 'directory radius: Message-Authenticator')).toMatchObject({ status: 'warn', fix: expect.stringContaining('3.2.5') });
      expect(find(findings, 'api.publicUrl')).toMatchObject({ status: 'warn', fix: expect.stringContaining('https://') });
      expect(find(findings, 'redis persistence')).toMatchObject({ status: 'warn', fix: expect.stringContaining('appendonly yes') });
      expect(find(findings, 'config mfa.push.notifier.signingSecret')).toMatchObject({ status: 'warn', fix: expect.stringContaining('X-Radius-Mfa-Signature') });
      // The weak secret itself is never echoed.
      expect(JSON.stringify(findings)).not.toContain('short-secret');
    } finally {
      await redis.config('SET', 'maxmemory-policy', 'noeviction');
    }
  }, 60_000);

  it('reports an unreachable Redis and an invalid config as failures with fixes', async () => {
    const file = join(dir, 'no-redis.yaml');
    writeFileSync(file, `redis: { url: "redis://127.0.0.1:1" }\nsecurity: { sealingKeys: [{ id: k1, key: "${key}" }] }\n`);
    const unreachable = await doctor(file);
    expect(unreachable.code).toBe(1);
    expect(find(unreachable.findings, 'redis')).toMatchObject({ status: 'fail', fix: expect.stringContaining('redis.url') });

    const invalid = join(dir, 'invalid.yaml');
    writeFileSync(invalid, 'redis: { url: "nope" }\n');
    const refused = await doctor(invalid);
    expect(refused.code).toBe(1);
    expect(refused.findings.map((f) => f.check)).toContain('config redis.url');
  });

  it('an invalid config: its errors fail and its warnings still show, in JSON and as text', async () => {
    const file = join(dir, 'invalid-with-warning.yaml');
    writeFileSync(file, ['redis: { url: "nope" }', `security: { sealingKeys: [{ id: k1, key: "${key}" }] }`, 'clients:', '  - { name: vpn, address: 127.0.0.1, secret: "short-secret" }'].join('\n'));
    const { code, findings } = await doctor(file);
    expect(code).toBe(1);
    expect(find(findings, 'config redis.url')).toMatchObject({ status: 'fail' });
    expect(find(findings, 'config clients[0].secret')).toMatchObject({ status: 'warn', fix: expect.stringContaining('openssl rand') });
    expect(JSON.stringify(findings)).not.toContain('short-secret');

    const run = await runCli(['doctor', '-c', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL {2}config redis\.url: .*\n {8}fix: /);
    expect(run.stdout).toMatch(/WARN {2}config clients\[0\]\.secret: .*\n {8}fix: /);
    expect(run.stdout).toMatch(/1 failed, 1 warnings, 0 ok/);
  });

  it('fails on guessable secrets with the config check\'s own findings, naming each key and the command, never the value', async () => {
    const weak = { key: Buffer.alloc(32).toString('base64'), token: 'replace-me-with-the-output-of-openssl-rand-hex-32', secret: 'change-me-radius-secret' };
    const file = join(dir, 'weak-secrets.yaml');
    writeFileSync(
      file,
      [
        `redis: { url: "${redisServer.url}", keyPrefix: "${redisServer.prefix()}" }`,
        `security: { sealingKeys: [{ id: k1, key: "${weak.key}" }] }`,
        `api: { adminToken: "${weak.token}" }`,
        `clients:\n  - { name: vpn, address: 127.0.0.1, secret: "${weak.secret}" }`,
      ].join('\n'),
    );
    const { code, findings } = await doctor(file);
    expect(code).toBe(1);
    expect(find(findings, 'config security.sealingKeys[0].key')).toMatchObject({ status: 'fail', fix: expect.stringContaining('openssl rand -base64 32') });
    expect(find(findings, 'config api.adminToken')).toMatchObject({ status: 'fail', fix: expect.stringContaining('openssl rand -hex 32') });
    expect(find(findings, 'config clients[0].secret')).toMatchObject({ status: 'fail', fix: expect.stringContaining('openssl rand -base64 24') });
    for (const value of Object.values(weak)) expect(JSON.stringify(findings)).not.toContain(value);
  });

  it('warns about a weak sealing key kept only to open older secrets', async () => {
    const old = Buffer.alloc(32).toString('base64');
    const file = join(dir, 'old-key.yaml');
    writeFileSync(file, `redis: { url: "${redisServer.url}", keyPrefix: "${redisServer.prefix()}" }\nsecurity: { sealingKeys: [{ id: k2, key: "${key}" }, { id: k1, key: "${old}" }] }\n`);
    const { findings } = await doctor(file);
    expect(find(findings, 'config security.sealingKeys[1].key')).toMatchObject({ status: 'warn', fix: expect.stringContaining('re-enrolled') });
    expect(JSON.stringify(findings)).not.toContain(old);
  });

  it('sealing keys: counts the TOTP secrets it opened; a push-only user is neither opened nor a failure', async () => {
    const prefix = redisServer.prefix();
    const file = join(dir, 'sealing.yaml');
    writeFileSync(file, [`redis: { url: "${redisServer.url}", keyPrefix: "${prefix}" }`, `security: { sealingKeys: [{ id: k1, key: "${key}" }] }`].join('\n'));
    const store = createUserStore({ redis, keys: redisKeys(prefix), sealer: createSealerFromBase64([{ id: 'k1', key }]), totp: { issuer: 'x', digits: 6, period: 30, algorithm: 'SHA1' } });
    for (const name of ['ann', 'ben', 'cat']) await store.enrollTotp(name, { confirmed: true });
    await store.enrollPush('dan');
    expect(find((await doctor(file)).findings, 'sealing keys')).toMatchObject({ status: 'ok', detail: '3 sampled TOTP secrets open with the configured keys (1 sampled user has no TOTP)' });
    // A secret sealed with a key the config no longer has still fails, whoever else is sampled.
    const other = createUserStore({ redis, keys: redisKeys(prefix), sealer: createSealerFromBase64([{ id: 'k0', key: randomBytes(32).toString('base64') }]), totp: { issuer: 'x', digits: 6, period: 30, algorithm: 'SHA1' } });
    await other.enrollTotp('eve', { confirmed: true });
    expect(find((await doctor(file)).findings, 'sealing keys')).toMatchObject({ status: 'fail', detail: expect.stringContaining('eve') });
  });

  it('prints a readable report with each fix', async () => {
    const file = write('text.yaml', ['clients:', '  - { name: vpn, address: 127.0.0.1, secret: "short-secret" }']);
    const run = await runCli(['doctor', '-c', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/WARN {2}client vpn: secret strength: .*\n {8}fix: /);
    expect(run.stdout).toMatch(/0 failed, [12] warnings, \d+ ok/);
  });
});
