// Runs the real `radius-mfa` bin (node_modules/.bin → services/cli/dist, built by test/global-setup.ts).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'node_modules/.bin/radius-mfa');
// The bin's `#!/usr/bin/env node` must find the Node 24 that runs this suite, not the machine's.
const PATH = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; onStdout?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: root, env: { ...process.env, PATH, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

const dir = mkdtempSync(join(tmpdir(), 'rmfa-cli-'));
const key = randomBytes(32).toString('base64');

function writeConfig(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `security: { sealingKeys: [{ id: k1, key: "${key}" }] }\nops: { listen: "http://127.0.0.1:0" }\n${body}`);
  return file;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('radius-mfa config check', () => {
  const good = writeConfig('good.yaml', 'redis: { url: "${REDIS_URL:-redis://127.0.0.1:6379}" }\nclients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "${VPN_SECRET}" }\n');
  const bad = writeConfig(
    'bad.yaml',
    'redis: { url: "redis://127.0.0.1:6379" }\nlog: { level: loud }\nclients:\n  - { name: vpn, address: 10.0.0.0/33, secret: "hunter2-xyzzy-plugh", methods: [push] }\n',
  );

  it('exits 0 with "config OK" on a good config, and lists warnings', async () => {
    const result = await run(['config', 'check', good], { env: { VPN_SECRET: 'only-12-char' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('config OK');
    expect(result.stdout).toContain('clients[0].secret');
    expect(result.stdout).not.toContain('only-12-char');
  });

  it('exits 1 and prints all three mistakes with their paths and fixes', async () => {
    const result = await run(['config', 'check', bad]);
    expect(result.code).toBe(1);
    for (const path of ['log.level', 'clients[0].address', 'clients[0].methods']) expect(result.stdout).toContain(`${path}:`);
    expect(result.stdout).toContain('3 problems');
    expect(result.stdout.match(/fix: /g)).toHaveLength(3);
    expect(result.stdout + result.stderr).not.toContain('hunter2-xyzzy-plugh');
  });

  it('names an unset variable and its key', async () => {
    const result = await run(['config', 'check', good], { env: { VPN_SECRET: undefined } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/clients\[0\]\.secret: refers to \$\{VPN_SECRET\}/);
  });

  it('--json gives a machine-readable report', async () => {
    const result = await run(['config', 'check', bad, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; problems: { path: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.path).sort()).toEqual(['clients[0].address', 'clients[0].methods', 'log.level']);
  });
});

describe('radius-mfa hash-password', () => {
  it('hashes stdin with argon2id, stripping exactly one trailing newline', async () => {
    const once = await run(['hash-password'], { input: 'correct horse\n' });
    expect(once.code).toBe(0);
    const hash = once.stdout.trim();
    expect(hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(hash.split('$')[3]!.split(',').sort()).toEqual(['m=65536', 'p=4', 't=3']);
    expect(await argon2.verify(hash, 'correct horse')).toBe(true);

    const twice = await run(['hash-password'], { input: 'pw \n\n' });
    expect(await argon2.verify(twice.stdout.trim(), 'pw \n')).toBe(true);
  });

  it('refuses an empty password', async () => {
    const result = await run(['hash-password'], { input: '\n' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
  });

  it('states the parameters in --help', async () => {
    const result = await run(['hash-password', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/argon2id.*65536 KiB/s);
  });
});

describe('radius-mfa usage', () => {
  it('--help on every command has an example and exits 0', async () => {
    for (const args of [[], ['start'], ['config'], ['config', 'check'], ['config', 'schema'], ['hash-password']]) {
      const result = await run([...args, '--help']);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout, args.join(' ')).toMatch(/Examples?:/);
    }
  });

  it('exits 2 on an unknown command, a missing config or an unknown role', async () => {
    expect((await run(['bogus'])).code).toBe(2);
    expect((await run(['start'], { env: { RADIUS_MFA_CONFIG: '' } })).code).toBe(2);
    const role = await run(['start', '--config', 'x.yaml', '--role', 'everything']);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('unknown role');
  });

  it('start refuses an invalid config with exit 1', async () => {
    const result = await run(['start', '--config', join(dir, 'bad.yaml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('clients[0].address');
  });
});

describe('radius-mfa start', () => {
  let redis: RedisHandle;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it.each(['ingress', 'worker', 'results'])('starts the %s role, serves /healthz, and exits 0 after SIGTERM', async (role) => {
    const config = writeConfig('start-ok.yaml', `redis: { url: "${redis.url}" }\napi: { listen: "http://127.0.0.1:0" }\nradius: { listen: ["udp://127.0.0.1:0"] }\n`);
    let opsUrl: string | undefined;
    const result = await run(['start', '--config', config, '--role', role], {
      onStdout: (text, child) => {
        const match = /"url":"(http:\/\/[^"]+)","msg":"ops server listening"/.exec(text);
        if (match && !opsUrl && /role started/.test(text)) {
          opsUrl = match[1];
          void fetch(`${opsUrl}/healthz`).then(() => child.kill('SIGTERM'));
        }
      },
    });
    expect(opsUrl).toBeDefined();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('shutdown complete');
  });
});
