// The newcomer path: a copy of the repository, `npm start` in it, the printed try-it command run with
// the code computed from the printed secret → Access-Accept; the push try-it approved through the
// printed link → Access-Accept; then Ctrl-C leaves nothing running. The ports are chosen with
// `npm start -- --radius-port …` (free ones, or 0), so the suite never binds 1812, 8080 or 9100.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisKeys } from '@radius-mfa/contracts';
import { base32Decode, createSealer, createUserStore, generateTotp } from '@radius-mfa/mfa';
import { freeTcpPort, freeUdpPort } from '@radius-mfa/testing';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const exec = promisify(execFile);
// npm scripts and the bin's `#!/usr/bin/env node` must find the Node 24 running this suite.
const PATH = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
const copy = mkdtempSync(join(tmpdir(), 'rmfa-newcomer-'));
let npmStart: ChildProcess | undefined;

/**
 * The repository as a clone would have it after `npm ci`: the files git knows (tracked or not ignored),
 * the built dist/ of each package, and node_modules whose third-party entries point at this checkout's
 * (no network, no reinstall) while the workspace links stay relative, so they resolve inside the copy.
 */
async function copyRepository(): Promise<void> {
  const { stdout } = await exec('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root, maxBuffer: 64 << 20 });
  for (const file of stdout.split('\0').filter((f) => f !== '' && !f.startsWith('.data/'))) {
    const from = join(root, file);
    if (!existsSync(from)) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(from, join(copy, file), { recursive: true, verbatimSymlinks: true });
  }
  for (const kind of ['libs', 'services']) {
    for (const name of readdirSync(join(root, kind))) {
      const dist = join(root, kind, name, 'dist');
      if (existsSync(dist)) cpSync(dist, join(copy, kind, name, 'dist'), { recursive: true });
    }
  }
  const modules = join(root, 'node_modules');
  mkdirSync(join(copy, 'node_modules'));
  for (const entry of readdirSync(modules)) {
    const from = join(modules, entry);
    const to = join(copy, 'node_modules', entry);
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (entry === '.bin' || entry === '@radius-mfa') {
      mkdirSync(to);
      for (const link of readdirSync(from)) {
        const source = join(from, link);
        if (lstatSync(source).isSymbolicLink()) symlinkSync(readlinkSync(source), join(to, link));
        else cpSync(source, join(to, link));
      }
    } else symlinkSync(from, to);
  }
}

/** Processes whose command line names the copy: the demo, its roles, its redis-server. */
function processesOfCopy(): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(copy)) found.push({ pid: Number(entry), cmdline });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/** npm has exited and every process holding its stdout (the demo, the roles) has let go of it. */
function finished(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

beforeAll(async () => {
  // The bin runs dist/, built by test/global-setup.ts before any suite.
  await copyRepository();
}, 120_000);

afterAll(async () => {
  // Only if the test failed half-way: nothing of ours may outlive the suite.
  if (npmStart?.pid !== undefined && npmStart.exitCode === null) {
    try {
      process.kill(-npmStart.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const { pid } of processesOfCopy()) process.kill(pid, 'SIGKILL');
  rmSync(copy, { recursive: true, force: true });
}, 60_000);

interface RunningDemo {
  readonly child: ChildProcess;
  readonly stdout: () => string;
}

/** Any free port for each: what a person passes when FreeRADIUS owns 1812. */
const ANY_PORTS = ['--radius-port', '0', '--api-port', '0', '--ops-port', '0'];

/** `npm start -- PORT OPTIONS` in the copy, in its own process group (a terminal's foreground job); resolves once the banner is out. */
async function npmStartInCopy(env: NodeJS.ProcessEnv, portOptions: readonly string[] = ANY_PORTS): Promise<RunningDemo> {
  const child = spawn('npm', ['start', '--', ...portOptions], { cwd: copy, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  npmStart = child;
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('Ctrl-C stops everything.')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${stdout}\n${stderr}`)));
  });
  return { child, stdout: () => stdout };
}

/** Ctrl-C: SIGINT to the whole group. npm forwards it and ends by the same signal; the demo stops in order. */
async function ctrlC(demo: RunningDemo): Promise<void> {
  const end = finished(demo.child);
  process.kill(-demo.child.pid!, 'SIGINT');
  const { code, signal } = await end;
  expect(code === 0 || signal === 'SIGINT').toBe(true);
  expect(demo.stdout()).toContain('radius-mfa demo: stopped');
}

async function runTryIt(tryIt: string, code: string, env: NodeJS.ProcessEnv): Promise<string> {
  const login = await exec('sh', ['-c', `${tryIt} --respond ${code}`], { cwd: copy, env }).catch((error: { stdout?: string }) => error);
  return login.stdout ?? '';
}

interface Terminal {
  readonly output: () => string;
  /** Resolves once the output holds `pattern` at or after `from` (a character offset). */
  waitFor(pattern: RegExp, from?: number): Promise<RegExpExecArray>;
  type(line: string): void;
  readonly closed: Promise<number | null>;
}

/** A printed command on a terminal (a pty from `script`), as a person would run it and type into it. */
function onTerminal(command: string, env: NodeJS.ProcessEnv): Terminal {
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: copy, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    for (const check of [...waiters]) check();
  });
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  return {
    output: () => output,
    waitFor: (pattern, from = 0) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(output.slice(from));
          if (!match) return;
          waiters.splice(waiters.indexOf(check), 1);
          resolve(match);
        };
        waiters.push(check);
        check();
        void closed.then(() => reject(new Error(`the command ended without printing ${pattern}:\n${output}`)));
      }),
    type: (line) => child.stdin.write(`${line}\n`),
    closed,
  };
}

/** The try-it command as printed, on a terminal: it asks for the code, we type it. */
async function runTryItOnTerminal(tryIt: string, code: string, env: NodeJS.ProcessEnv): Promise<{ output: string; exitCode: number | null }> {
  const terminal = onTerminal(tryIt, env);
  await terminal.waitFor(/> /);
  terminal.type(code);
  const exitCode = await terminal.closed;
  return { output: terminal.output(), exitCode };
}

/** The first match of `pattern` in what the demo prints after character `from` (already, or soon). */
async function demoPrinted(demo: RunningDemo, pattern: RegExp, from: number): Promise<RegExpExecArray> {
  await expect.poll(() => pattern.test(demo.stdout().slice(from)), { timeout: 30_000 }).toBe(true);
  return pattern.exec(demo.stdout().slice(from))!;
}

const env: NodeJS.ProcessEnv = { ...process.env, PATH };
delete env['REDIS_URL'];
delete env['RADIUS_MFA_CONFIG'];
let firstSecret: string | undefined;

describe('npm start (the newcomer path)', () => {
  it('prints a try-it command that logs the demo user in on the ports given; Ctrl-C leaves no process and no port', async () => {
    const chosen = { radius: await freeUdpPort(), api: await freeTcpPort(), ops: await freeTcpPort() };
    while (chosen.ops === chosen.api) chosen.ops = await freeTcpPort();
    const demo = await npmStartInCopy(env, ['--radius-port', String(chosen.radius), '--api-port', String(chosen.api), '--ops-port', String(chosen.ops)]);
    const stdout = demo.stdout();
    expect(stdout).toContain(`radius-mfa demo ready: RADIUS udp://127.0.0.1:${chosen.radius}, API http://127.0.0.1:${chosen.api}, metrics http://127.0.0.1:${chosen.ops}/metrics`);
    const tryIt = /^ {2}(npx radius-mfa test-auth .*)$/m.exec(stdout)?.[1];
    expect(tryIt).toContain(`--server 127.0.0.1:${chosen.radius} `);
    const secret = /TOTP secret ([A-Z2-7]+)/.exec(stdout)?.[1];
    expect(tryIt).toBeDefined();
    expect(secret).toBeDefined();
    firstSecret = secret;
    expect(stdout).toContain(`otpauth://totp/radius-mfa%20demo:demo?secret=${secret}`);
    // The QR code of that URI: a square of half-block rows (colours stripped) to scan off the terminal.
    const qrRows = stripVTControlCharacters(stdout)
      .split('\n')
      .filter((line) => /^[ ▀▄█]+$/.test(line) && /[▀▄█]/.test(line));
    expect(qrRows.length).toBeGreaterThanOrEqual(15);
    expect(new Set(qrRows.map((row) => row.length)).size).toBe(1);
    expect(stdout).not.toContain('TOKEN');
    expect(stdout).toMatch(new RegExp(`Enrollment page .*: http://127\\.0\\.0\\.1:${chosen.api}/v1/enroll/\\S+`));
    expect(stdout).toContain(`API docs (OpenAPI): http://127.0.0.1:${chosen.api}/docs`);
    // Data and generated config live in the copy's .data, created on this first run.
    expect(existsSync(join(copy, '.data/demo-config.yaml'))).toBe(true);
    expect(existsSync(join(copy, '.data/redis/appendonlydir'))).toBe(true);

    const login = await runTryIt(tryIt!, generateTotp(base32Decode(secret!)), env);
    expect(login).toContain('Access-Challenge');
    expect(login).toContain('Access-Accept (code 2)');
    expect(login).toContain('result: accept');

    const { radius: radiusPort, api: apiPort, ops: opsPort } = chosen;
    // The roles answer on the ports given: metrics on ops, the API's docs on api.
    expect((await fetch(`http://127.0.0.1:${opsPort}/metrics`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${apiPort}/docs`, { redirect: 'manual' })).status).toBeLessThan(500);
    const redisPort = Number(/private redis-server \(pid \d+, 127\.0\.0\.1:(\d+)\)/.exec(stdout)?.[1]);
    expect(processesOfCopy().length).toBeGreaterThanOrEqual(2);
    expect(await udpFree(radiusPort)).toBe(false);

    await ctrlC(demo);
    expect(processesOfCopy()).toEqual([]);
    expect(await udpFree(radiusPort)).toBe(true);
    for (const port of [apiPort, opsPort, redisPort]) expect(await tcpFree(port)).toBe(true);
  }, 240_000);

  it('a second npm start in the same copy keeps the secrets and the enrollment (AOF); the printed command asks for the code on a terminal', async () => {
    expect(firstSecret).toBeDefined();
    const restartedAt = Date.now();
    const demo = await npmStartInCopy(env);
    try {
      const stdout = demo.stdout();
      // --radius-port 0: a free port, not the usual one even where 1812 is free.
      expect(stdout).toMatch(/^radius-mfa demo ready: RADIUS udp:\/\/127\.0\.0\.1:\d+,/m);
      expect(stdout).not.toContain('127.0.0.1:1812');
      expect(/TOTP secret ([A-Z2-7]+)/.exec(stdout)?.[1]).toBe(firstSecret);
      // Enrolled by the first run, read back from the AOF: not enrolled again now.
      const redisPort = Number(/private redis-server \(pid \d+, 127\.0\.0\.1:(\d+)\)/.exec(stdout)?.[1]);
      const redis = new Redis(`redis://127.0.0.1:${redisPort}`);
      try {
        const users = createUserStore({ redis, keys: redisKeys('{rmfa-demo}'), sealer: createSealer([{ id: 'unused', key: Buffer.alloc(32) }]), totp: { issuer: 'x', digits: 6, period: 30, algorithm: 'SHA1' } });
        const enrolledAt = (await users.getUser('demo'))?.totp?.enrolledAt;
        expect(enrolledAt).toBeDefined();
        expect(enrolledAt!).toBeLessThan(restartedAt);
      } finally {
        redis.disconnect();
      }
      const tryIt = /^ {2}(npx radius-mfa test-auth .*)$/m.exec(stdout)?.[1];
      // As printed, on a terminal: it asks for the code. The code of the last login was recorded as
      // used (that survived too): the next step's code is within the window and newer, so it passes.
      const login = await runTryItOnTerminal(tryIt!, generateTotp(base32Decode(firstSecret!), { time: Date.now() / 1000 + 30 }), env);
      expect(login.output).toContain('Enter your code');
      expect(login.output).toContain('result: accept');
      expect(login.exitCode).toBe(0);
    } finally {
      await ctrlC(demo);
    }
    expect(processesOfCopy()).toEqual([]);
  }, 240_000);

  it('the push try-it: the approval link the demo prints, POSTed with the number as the page does, lets the waiting test-auth in', async () => {
    const demo = await npmStartInCopy(env);
    try {
      const tryPush = /^ {2}(npx radius-mfa test-auth .* --user demo-push .*)$/m.exec(demo.stdout())?.[1];
      expect(tryPush).toBeDefined();
      const printedBefore = demo.stdout().length;
      const login = onTerminal(tryPush!, env);
      const number = (await login.waitFor(/enter (\d{2}) there, then press Enter\s*> /))[1]!;
      const approveUrl = (await demoPrinted(demo, /Push for demo-push on client demo .*:\n {2}(http:\/\/127\.0\.0\.1:\d+\/v1\/approve\/\S+)/, printedBefore))[1]!;

      // Enter before approving: the sign-in is still waiting, not accepted.
      let seen = login.output().length;
      login.type('');
      await login.waitFor(/Still waiting for your approval… Enter (\d{2}) on your phone, then press Enter\s*> /, seen);
      expect(login.output()).not.toContain('Access-Accept');

      // The link opens the approval page; its Approve button POSTs the typed number to the same URL.
      const page = await fetch(approveUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Approve');
      const approved = await fetch(approveUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number }) });
      expect(await approved.json()).toEqual({ status: 'approved' });

      seen = login.output().length;
      login.type('');
      expect(await login.closed).toBe(0);
      expect(login.output().slice(seen)).toContain('Access-Accept (code 2)');
      expect(login.output()).toContain('result: accept');

      // Unattended, as the banner says: --wait-push presses Enter until the approval, no terminal needed.
      // Run three times in a row: the demo's push limits let a walkthrough push more than 3 times a minute.
      expect(demo.stdout()).toContain('Unattended: add --wait-push 120');
      for (let i = 0; i < 3; i++) {
        const from = demo.stdout().length;
        const unattended = spawn('sh', ['-c', `${tryPush!} --wait-push 60`], { cwd: copy, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        unattended.stdout.on('data', (d: Buffer) => (output += d.toString()));
        unattended.stderr.on('data', (d: Buffer) => (output += d.toString()));
        const exited = new Promise<number | null>((resolve) => unattended.once('close', resolve));
        await expect.poll(() => /enter (\d{2}) there/.test(output), { timeout: 30_000 }).toBe(true);
        const shown = /enter (\d{2}) there/.exec(output)![1]!;
        const link = (await demoPrinted(demo, /Push for demo-push on client demo .*:\n {2}(http:\/\/127\.0\.0\.1:\d+\/v1\/approve\/\S+)/, from))[1]!;
        await expect.poll(() => output.includes('waiting up to 60 s for the approval')).toBe(true);
        const tapped = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number: shown }) });
        expect(await tapped.json()).toEqual({ status: 'approved' });
        expect(await exited).toBe(0);
        expect(output).toContain('result: accept');
      }

      // The newcomer of the printed enrollment link: enroll TOTP there, then the printed command signs in.
      const enrollUrl = /Enrollment page .*: (http:\/\/127\.0\.0\.1:\d+\/v1\/enroll\/\S+)/.exec(demo.stdout())?.[1];
      const newcomerTryIt = /then sign in as newcomer with the same password: (npx radius-mfa test-auth .*)$/m.exec(demo.stdout())?.[1];
      expect(enrollUrl).toBeDefined();
      expect(newcomerTryIt).toContain('--user newcomer');
      const issued = (await (await fetch(`${enrollUrl!}/totp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { secret: string };
      const newSecret = base32Decode(issued.secret);
      const confirmed = await fetch(`${enrollUrl!}/totp/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: generateTotp(newSecret) }) });
      expect(confirmed.status).toBe(200);
      // The confirming code is spent; the next step's code signs in.
      const newcomerLogin = await runTryIt(newcomerTryIt!, generateTotp(newSecret, { time: Date.now() / 1000 + 30 }), env);
      expect(newcomerLogin).toContain('Access-Accept (code 2)');
    } finally {
      await ctrlC(demo);
    }
    expect(processesOfCopy()).toEqual([]);
  }, 240_000);
});
