// The production stage of the Dockerfile without Docker: the same assemble.sh and the same
// npm commands build the image's /app tree in a temporary directory, which must then run the
// CLI (config check, argon2 hashing, a role) with no dev dependency installed.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { envExampleFilled } from './compose-env.js';
import { COMPOSE_CONFIG, startRadiusMfa } from './radius-mfa-process.js';
import { repoRoot, run } from './tools.js';

/** The npm commands of the Dockerfile's last RUN that installs dependencies, in order. */
function productionNpmCommands(): string[] {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const production = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const install = production.split('\n').find((line) => line.startsWith('RUN npm ci'));
  if (!install) throw new Error('no `RUN npm ci` in the Dockerfile production stage');
  return install
    .slice('RUN '.length)
    .split('&&')
    .map((command) => command.trim().replace(/\s+/g, ' '))
    .filter((command) => command.startsWith('npm ') && !command.startsWith('npm cache'));
}

const app = mkdtempSync(join(tmpdir(), 'rmfa-image-'));
const nodeDir = dirname(process.execPath);
const env = { ...envExampleFilled(), PATH: `${nodeDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: process.env.HOME ?? '/tmp', RADIUS_MFA_APP_DIR: app };
let redis: RedisHandle | undefined;

beforeAll(async () => {
  const assembled = await run('sh', [join(repoRoot, 'deploy/docker/assemble.sh'), repoRoot, app]);
  expect(assembled.stderr).toBe('');
  expect(assembled.code).toBe(0);
  for (const command of productionNpmCommands()) {
    const result = await run('sh', ['-c', `${command} --prefer-offline`], { cwd: app, env: { ...process.env, PATH: env.PATH } });
    expect(result.code, `${command}:\n${result.stderr}`).toBe(0);
  }
}, 300_000);

afterAll(async () => {
  await redis?.stop();
  rmSync(app, { recursive: true, force: true });
});

describe('image /app tree', () => {
  it('installs with the Dockerfile production commands', () => {
    expect(productionNpmCommands()).toEqual(['npm ci --omit=dev --ignore-scripts --no-audit --no-fund', 'npm rebuild argon2']);
    expect(existsSync(join(app, 'node_modules/argon2'))).toBe(true);
    expect(existsSync(join(app, 'services/cli/dist/main.js'))).toBe(true);
  });

  it('holds no dev dependency', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const present = Object.keys(manifest.devDependencies).filter((name) => existsSync(join(app, 'node_modules', name)));
    expect(present).toEqual([]);
  });

  it('checks the compose config through the entrypoint', async () => {
    const result = await run(join(app, 'entrypoint.sh'), ['config', 'check', COMPOSE_CONFIG], { env });
    expect(result.stdout).toContain('config OK');
    expect(result.code).toBe(0);
  });

  it('hashes a password with the argon2 native addon', async () => {
    const result = await run(join(app, 'entrypoint.sh'), ['hash-password'], { env, input: 'correct horse\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\$argon2id\$/);
  });

  it('starts every role (the image default) and reports ready', async () => {
    redis = await startRedis();
    const radiusMfa = await startRadiusMfa('all', redis.url, join(app, 'services/cli/bin/radius-mfa.js'));
    try {
      expect((await fetch(`${radiusMfa.opsUrl}/readyz`)).status).toBe(200);
    } finally {
      await radiusMfa.stop();
    }
  });
});
