// The whole system on one host for benchmarks and resilience tests: one config file, each role
// in its own `radius-mfa start --role R` process (the built CLI), ready when its /readyz says so.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, freeUdpPort, startRedisServer } from '@radius-mfa/testing';

const cliBin = fileURLToPath(new URL('../../services/cli/bin/radius-mfa.js', import.meta.url));
/** The Node flags the image's entrypoint gives a role (RADIUS_MFA_NODE_FLAGS' default): what is measured is what ships. */
export const ROLE_NODE_FLAGS = ['--max-semi-space-size=16'];

/** A sealing key for a run (32 random bytes, as `openssl rand -base64 32`). */
export function newSealingKey() {
  return { id: 'bench', key: randomBytes(32).toString('base64') };
}

/**
 * The YAML of a config whose ports come from the environment of each role process
 * (RADIUS_PORT, OPS_PORT; API_PORT is one port for the whole system, since the worker writes
 * links to the results-api into pushes), so one file serves every process. `clients` and `mfa` are
 * plain objects written as JSON (a subset of YAML).
 */
export function systemConfigYaml({ redisUrl, keyPrefix = '{rmfa}', sealingKey, clients, mfa = {}, redis = {}, logLevel = 'warn', radius = {} }) {
  const config = {
    redis: { url: redisUrl, keyPrefix, ...redis },
    radius: { listen: ['udp://127.0.0.1:${RADIUS_PORT}'], ...radius },
    api: { listen: 'http://127.0.0.1:${API_PORT}' },
    ops: { listen: 'http://127.0.0.1:${OPS_PORT}' },
    log: { level: logLevel },
    security: { sealingKeys: [sealingKey] },
    clients,
    mfa,
  };
  return JSON.stringify(config, null, 2) + '\n';
}

/** A role process ended while the test or benchmark still needed it; `lastOutput` says why. */
export class RoleExitedError extends Error {
  constructor(role, pid, exit, lastOutput) {
    super(`${role} role (pid ${pid}) exited (${exit}) while it should be running; its last output:\n${lastOutput || '(none)'}`);
    this.name = 'RoleExitedError';
    this.reason = 'role_exited';
    this.role = role;
    this.lastOutput = lastOutput;
  }
}

// Enough of a role's output to show the error it died of (a stack trace), not its whole log.
const TAIL_CHARS = 8_192;

/** Keeps the last TAIL_CHARS of a child's stdout and stderr, also forwarded to ours when `forward`. */
function keepOutputTail(child, forward) {
  let tail = '';
  for (const [stream, target] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    stream.on('data', (chunk) => {
      if (forward) target.write(chunk);
      tail = (tail + chunk.toString()).slice(-TAIL_CHARS);
    });
  }
  return () => tail;
}

async function waitReady(opsPort, child, timeoutMs, lastOutput) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`role exited (${child.exitCode ?? child.signalCode}) before it was ready; its last output:\n${lastOutput() || '(none)'}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${opsPort}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`role on ops port ${opsPort} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a role's /readyz answers 200 now. */
export async function isReady(opsPort) {
  try {
    const response = await fetch(`http://127.0.0.1:${opsPort}/readyz`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

// Role processes must not outlive the script that started them (a timeout, Ctrl-C, a crash).
const live = new Set();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of live) child.kill('SIGKILL');
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

/** A private redis-server for a benchmark, killed with the benchmark's other children if it dies. */
export async function startBenchRedis(options = {}) {
  const redis = await startRedisServer(options);
  live.add(redis.process);
  redis.process.once('exit', () => live.delete(redis.process));
  return redis;
}

/**
 * The sum of a Prometheus counter or gauge on a role's /metrics over the series whose labels
 * include `labels`; 0 when absent.
 */
export async function metricValue(opsPort, name, labels = {}) {
  const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const series = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => series[k] === v)) sum += Number(match[3]);
  }
  return sum;
}

/**
 * Starts the roles listed in `roles` (e.g. ['ingress', 'ingress', 'worker', 'results']) against
 * the config text; each gets its own RADIUS, ops and API ports. `stop()` ends all of them
 * (SIGTERM, then SIGKILL after 10 s) and removes the temporary directory. `whileRunning(body)`
 * fails as soon as a role exits that was not ended through its `kill()` or `stop()`, so a test
 * waiting on a dead role fails at once with the role's last output instead of at its timeout.
 */
export async function startSystem({ configYaml, roles, readyTimeoutMs = 60_000, env = {}, output = 'inherit' }) {
  const dir = mkdtempSync(join(tmpdir(), 'rmfa-bench-'));
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, configYaml, { mode: 0o600 });
  const processes = [];
  const apiPort = await freeTcpPort();
  let stopping = false;
  let rejectUnexpectedExit;
  const unexpectedExit = new Promise((_, reject) => (rejectUnexpectedExit = reject));
  // Observed only through whileRunning; an exit nobody waits on is not an unhandled rejection.
  unexpectedExit.catch(() => {});
  const system = {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    dir,
    configPath,
    processes,
    byRole: (role) => processes.filter((p) => p.role === role),
    /** Starts one more process of `role` (e.g. a replacement after a kill). */
    async add(role) {
      const ports = { radius: await freeUdpPort(), ops: await freeTcpPort(), api: apiPort };
      const child = spawn(process.execPath, [...ROLE_NODE_FLAGS, cliBin, 'start', '--role', role, '--config', configPath], {
        env: { ...process.env, ...env, RADIUS_PORT: String(ports.radius), OPS_PORT: String(ports.ops), API_PORT: String(ports.api) },
        // Piped (and forwarded when `output` is 'inherit') so the tail is there when a role dies.
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      live.add(child);
      child.once('exit', () => live.delete(child));
      const lastOutput = keepOutputTail(child, output === 'inherit');
      let killed = false;
      const entry = {
        role,
        child,
        pid: child.pid,
        ports,
        exited: once(child, 'exit'),
        lastOutput,
        kill: (signal = 'SIGKILL') => {
          killed = true;
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return entry.exited;
        },
      };
      // 'close', not 'exit': by then the pipes are drained and the tail holds the last words.
      child.once('close', (code, signal) => {
        if (!killed && !stopping) rejectUnexpectedExit(new RoleExitedError(role, child.pid, code ?? signal, lastOutput()));
      });
      processes.push(entry);
      await waitReady(ports.ops, child, readyTimeoutMs, lastOutput);
      return entry;
    },
    /** Resolves as `body()` does, or rejects with a RoleExitedError as soon as a role dies unbidden. */
    whileRunning: (body) => Promise.race([body(), unexpectedExit]),
    async stop() {
      stopping = true;
      await Promise.all(
        processes.map(async (p) => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) return;
          p.child.kill('SIGTERM');
          const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
          await p.exited;
          clearTimeout(timer);
        }),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const role of roles) await system.add(role);
  } catch (error) {
    await system.stop();
    throw error;
  }
  return system;
}

/** The bench client's config: TOTP in the password (`,123456`), no first factor, no rate limit in the way. */
export function benchClient(secret, overrides = {}) {
  return {
    name: 'bench',
    address: '127.0.0.0/8',
    secret,
    firstFactor: 'none',
    prompt: 'append',
    methods: ['totp'],
    rateLimit: { perSecond: 1_000_000, burst: 1_000_000 },
    ...overrides,
  };
}
