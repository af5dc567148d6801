// `users import` on a terminal (a pty from `script`) draws its progress bar in place; piped, it draws nothing.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Encode, generateTotpSecret } from '@radius-mfa/mfa';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { runCli } from './cli-harness.js';

const BIN = fileURLToPath(new URL('../bin/radius-mfa.js', import.meta.url));
const USERS = 300;
const dir = mkdtempSync(join(tmpdir(), 'rmfa-import-tty-'));
let redisServer: RedisHandle;

beforeAll(async () => {
  redisServer = await startRedis();
});
afterAll(async () => {
  await redisServer.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A config of its own key prefix and a CSV of USERS good rows. */
function fixture(name: string): { config: string; csv: string } {
  const config = join(dir, `${name}.yaml`);
  writeFileSync(config, [`redis: { url: "${redisServer.url}", keyPrefix: "${redisServer.prefix()}" }`, `security: { sealingKeys: [{ id: k1, key: "${randomBytes(32).toString('base64')}" }] }`, 'clients: []'].join('\n'));
  const csv = join(dir, `${name}.csv`);
  writeFileSync(csv, ['name,totp,phone,push', ...Array.from({ length: USERS }, (_, i) => `user${i},${base32Encode(generateTotpSecret())},,no`)].join('\n'));
  return { config, csv };
}

/** The bin on a pseudo-terminal: stdout and stderr are both the terminal, as for a person. */
function onTerminal(args: readonly string[]): Promise<{ output: string; code: number }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` };
  return new Promise((resolve) => {
    execFile('script', ['-qfec', command, '/dev/null'], { env, timeout: 120_000 }, (error, stdout) => resolve({ output: stdout, code: error ? Number(error.code ?? -1) : 0 }));
  });
}

describe('users import progress bar', () => {
  it('on a terminal: redrawn in place as rows are sealed, only when it moves, ending full', async () => {
    const { config, csv } = fixture('tty');
    const { output, code } = await onTerminal(['users', 'import', csv, '-c', config]);
    expect(code).toBe(0);
    expect(output).toContain(`imported ${USERS} of ${USERS} users`);
    const draws = [...output.matchAll(/\rsealing \[(#*)(\.*)\] (\d+)\/(\d+)/g)].map((m) => ({ filled: m[1]!.length, width: m[1]!.length + m[2]!.length, done: Number(m[3]), total: Number(m[4]) }));
    // Drawn as it goes (not only at the end), at most once per step of the 30-character bar (+ the final draw).
    expect(draws.some((d) => d.filled > 0 && d.filled < 30)).toBe(true);
    expect(draws.length).toBeLessThanOrEqual(32);
    for (const d of draws) expect(d).toMatchObject({ width: 30, total: USERS });
    const done = draws.map((d) => d.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(draws.at(-1)).toEqual({ filled: 30, width: 30, done: USERS, total: USERS });
  });

  it('piped (not a terminal): no bar at all, so logs stay clean', async () => {
    const { config, csv } = fixture('piped');
    const run = await runCli(['users', 'import', csv, '-c', config]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`imported ${USERS} of ${USERS} users`);
    expect(run.stderr).not.toContain('sealing');
  });
});
