// A Linux login through pam_radius_auth (Debian libpam-radius-auth) and pamtester, against the
// whole system: `radius-mfa start --role all`, the password checked by the local directory, then
// the TOTP Access-Challenge answered at the PAM prompt.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import argon2 from 'argon2';
import { Redis } from 'ioredis';
import { redisKeys } from '@radius-mfa/contracts';
import { base32Decode, createSealer, createUserStore, generateTotp } from '@radius-mfa/mfa';
import { freeTcpPort, freeUdpPort, startRedis, type RedisHandle } from '@radius-mfa/testing';
import { CLIENT_SECRET, SEALING_KEY } from './harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const PAM_MODULE = '/lib/x86_64-linux-gnu/security/pam_radius_auth.so';
const PASSWORD = 'pam-password';

function hasPamTools(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v pamtester'], { stdio: 'ignore' });
    return existsSync(PAM_MODULE) && existsSync('/etc/pam.d');
  } catch {
    return false;
  }
}

interface Role {
  process: ChildProcess;
  output: () => string;
}

function startRole(configPath: string, role: string, ports: { ops: number; api: number }): Role {
  const child = spawn(process.execPath, [join(root, 'services/cli/bin/radius-mfa.js'), 'start', '--config', configPath, '--role', role], {
    cwd: root,
    env: { ...process.env, OPS_PORT: String(ports.ops), API_PORT: String(ports.api) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { process: child, output: () => output };
}

async function waitReady(opsPort: number, role: Role): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (role.process.exitCode !== null) throw new Error(`role exited ${role.process.exitCode}: ${role.output()}`);
    const ok = await fetch(`http://127.0.0.1:${opsPort}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`not ready: ${role.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function pamtester(service: string, user: string, input: string): { status: number; output: string } {
  // Prompts go to stderr or stdout depending on the conversation function: keep both.
  const result = spawnSync('pamtester', ['-v', service, user, 'authenticate'], { input, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

describe('pam_radius_auth + pamtester against radius-mfa start --role all', () => {
  let redisHandle: RedisHandle;
  let dir: string;
  let service: string;
  const roles: Role[] = [];
  let commands: Redis;
  let code: () => string;

  beforeAll(async () => {
    if (!hasPamTools()) throw new Error(`pamtester or ${PAM_MODULE} is missing: apt-get install -y pamtester libpam-radius-auth`);
    // The roles run the built CLI (test/global-setup.ts builds it before any suite).
    redisHandle = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'rmfa-pam-'));
    const prefix = redisHandle.prefix();
    const radiusPort = await freeUdpPort();
    const passwordHash = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 2, parallelism: 1 });
    const config = {
      redis: { url: redisHandle.url, keyPrefix: prefix },
      radius: { listen: [`udp://127.0.0.1:${radiusPort}`] },
      ops: { listen: 'http://127.0.0.1:${OPS_PORT}' },
      api: { listen: 'http://127.0.0.1:${API_PORT}' },
      log: { level: 'warn' },
      security: { sealingKeys: [{ id: 'k1', key: SEALING_KEY }] },
      // pam_radius_auth 2.0 predates BlastRADIUS: it sends no Message-Authenticator.
      clients: [{ name: 'linux', address: '127.0.0.1', secret: CLIENT_SECRET, firstFactor: 'local', prompt: 'challenge', methods: ['totp'], requireMessageAuthenticator: false }],
      directories: { local: { users: [{ name: 'alice', passwordHash }] } },
    };
    const configPath = join(dir, 'config.yaml');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    writeFileSync(join(dir, 'pam_radius_auth.conf'), `127.0.0.1:${radiusPort} ${CLIENT_SECRET} 10\n`, { mode: 0o600 });
    service = `rmfa-test-${randomBytes(4).toString('hex')}`;
    writeFileSync(`/etc/pam.d/${service}`, `auth required pam_radius_auth.so conf=${join(dir, 'pam_radius_auth.conf')}\naccount required pam_permit.so\n`);

    commands = new Redis(redisHandle.url);
    const sealer = createSealer([{ id: 'k1', key: Buffer.from(SEALING_KEY, 'base64') }]);
    const users = createUserStore({ redis: commands, keys: redisKeys(prefix), sealer, totp: { digits: 6, period: 30, algorithm: 'SHA1', issuer: 'pam' } });
    const { secret } = await users.enrollTotp('alice', { confirmed: true });
    code = () => generateTotp(base32Decode(secret), { time: Date.now() / 1000 });

    const ports = { ops: await freeTcpPort(), api: await freeTcpPort() };
    const started = startRole(configPath, 'all', ports);
    roles.push(started);
    await waitReady(ports.ops, started);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      roles.map(
        (role) =>
          new Promise<void>((resolve) => {
            if (role.process.exitCode !== null) return resolve();
            role.process.once('exit', () => resolve());
            role.process.kill('SIGTERM');
            setTimeout(() => role.process.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    if (service) rmSync(`/etc/pam.d/${service}`, { force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
    commands?.disconnect();
    await redisHandle?.stop();
  });

  it('password, then the code at the "Enter your code" prompt: authenticated', () => {
    const result = pamtester(service, 'alice', `${PASSWORD}\n${code()}\n`);
    expect(result.output).toContain('Enter your code');
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/successfully authenticated/);
  });

  it('a wrong code at the prompt: not authenticated', () => {
    const valid = code();
    const wrong = String((Number(valid) + 500_000) % 1_000_000).padStart(6, '0');
    // Three wrong answers exhaust the sign-in (each answer gets a new challenge until then).
    const result = pamtester(service, 'alice', `${PASSWORD}\n${wrong}\n${wrong}\n${wrong}\n`);
    expect(result.status).not.toBe(0);
  });
});
