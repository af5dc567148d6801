// `npm start` where there is no way to get Redis: it says both ways to get one and exits 2.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/radius-mfa.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rmfa-no-redis-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'demo', '--data-dir', join(dir, 'data')], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe('radius-mfa demo without Redis', () => {
  it('with neither redis-server nor docker on PATH and no REDIS_URL: names both ways to get Redis, exits 2', async () => {
    const emptyPath = join(dir, 'bin');
    mkdirSync(emptyPath);
    expect(readdirSync(emptyPath)).toEqual([]);
    const result = await run({ PATH: emptyPath, HOME: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('radius-mfa demo: no Redis: there is no redis-server on PATH and no Docker engine answers');
    expect(result.stderr).toContain('apt-get install redis-server');
    expect(result.stderr).toContain('start Docker, and a Redis container is used');
    expect(result.stderr).toContain('REDIS_URL=redis://host:6379 npm start');
    expect(result.stdout).not.toContain('demo ready');
    // It stopped before making any secrets or config.
    expect(existsSync(join(dir, 'data', 'demo-credentials.json'))).toBe(false);
  });
});
