import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { Redis } from 'ioredis';
import { DaemonStartError } from './daemon-process.js';
import { freeTcpPort } from './free-port.js';

/** A Redis server for one test suite. `stop()` is idempotent. */
export interface RedisHandle {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** How the server was obtained: an external REDIS_URL, a private redis-server, or a container. */
  readonly kind: 'external' | 'redis-server' | 'container';
  /** A fresh hash-tagged key prefix, so tests sharing a server never see each other's keys. */
  prefix(): string;
  /** Stops a private server or container; on an external REDIS_URL, deletes the keys under the prefixes this handle gave out. */
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  readonly code = 'REDIS_UNAVAILABLE';
  constructor() {
    super(
      'No Redis for the tests: set REDIS_URL, install redis-server (apt-get install -y redis-server), ' +
        'or run a Docker engine so a Redis container can be started.',
    );
    this.name = 'RedisUnavailableError';
  }
}

function uniquePrefix(): string {
  return `{t${randomBytes(6).toString('hex')}}`;
}

/** The executable `name` on `path` (a PATH value), if any. */
function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Waits until something answers PING with +PONG on host:port. */
export async function waitForRedis(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host, port }, () => socket.write('PING\r\n'));
      socket.setTimeout(500);
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Redis at ${host}:${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RedisServerOptions {
  /** Extra `redis-server` arguments, e.g. ['--appendonly', 'yes']. */
  args?: string[];
  /** Fixed port (for restart tests); a free one by default. */
  port?: number;
  /** Data directory; a fresh temp dir (removed on stop) by default. */
  dir?: string;
  /** The program; `redis-server` on PATH by default. */
  command?: string;
}

/** Starts a private `redis-server` on 127.0.0.1 on a free port, as BullMQ wants it (noeviction). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisHandle & { process: ChildProcess; dir: string }> {
  const port = options.port ?? (await freeTcpPort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rmfa-redis-'));
  const command = options.command ?? 'redis-server';
  const child = spawn(
    command,
    [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
      '--maxmemory-policy', 'noeviction', '--protected-mode', 'no', '--loglevel', 'warning',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  let exited = false;
  // Rejects when the program cannot be started (ENOENT: not installed) or exits before it answers.
  // Without an 'error' listener a missing binary would crash the test run instead of failing it.
  const ended = new Promise<never>((_, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        exited = true;
        reject(new DaemonStartError(command, error));
      }
    });
    child.once('exit', (code, signal) => {
      exited = true;
      reject(new Error(`${command} on port ${port} exited (${signal ?? `code ${code}`}) before answering PING: ${stderr.trim() || 'no output'}`));
    });
  });
  ended.catch(() => undefined);
  try {
    await Promise.race([waitForRedis('127.0.0.1', port), ended]);
  } catch (error) {
    if (!exited) child.kill('SIGKILL');
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    kind: 'redis-server',
    process: child,
    dir,
    prefix: uniquePrefix,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        const done = (): void => {
          if (ownDir) rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (exited) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
      });
      return stopped;
    },
  };
}

function dockerAnswers(env: NodeJS.ProcessEnv): boolean {
  const docker = findOnPath('docker', env['PATH']);
  if (!docker) return false;
  try {
    execFileSync(docker, ['info'], { stdio: 'ignore', timeout: 3_000, env });
    return true;
  } catch {
    return false;
  }
}

/** Deletes every key under the given prefixes (SCAN, never KEYS or FLUSHDB: the server is shared). */
async function deleteKeysUnder(url: string, prefixes: readonly string[]): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await client.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}

/** A server someone else runs (REDIS_URL, with its database): this suite's keys go, nothing else. */
function externalRedis(external: string): RedisHandle {
  const url = new URL(external);
  const given: string[] = [];
  let stopped: Promise<void> | undefined;
  return {
    url: external,
    host: url.hostname,
    port: Number(url.port || 6379),
    kind: 'external',
    prefix() {
      const prefix = uniquePrefix();
      given.push(prefix);
      return prefix;
    },
    stop() {
      stopped ??= deleteKeysUnder(external, given);
      return stopped;
    },
  };
}

/**
 * The Redis for a test suite, first that works of: REDIS_URL (an explicit choice wins); a private
 * redis-server on a free port; a Redis container where a Docker engine answers; else
 * RedisUnavailableError naming all three. redis-server comes before the container (issue 2 had
 * them the other way) because it starts in milliseconds without an engine, and the machines
 * that build this project have redis-server but no Docker engine. `env` (REDIS_URL, and PATH
 * for redis-server and docker) is a seam for the fixture's own tests.
 */
export async function startRedis(env: NodeJS.ProcessEnv = process.env): Promise<RedisHandle> {
  const external = env['REDIS_URL'];
  if (external) return externalRedis(external);
  if (findOnPath('redis-server', env['PATH'])) return startRedisServer();
  if (dockerAnswers(env)) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').withCommand(['redis-server', '--maxmemory-policy', 'noeviction']).start();
    const host = container.getHost();
    const port = container.getPort();
    return {
      url: `redis://${host}:${port}`,
      host,
      port,
      kind: 'container',
      prefix: uniquePrefix,
      stop: async () => {
        await container.stop();
      },
    };
  }
  throw new RedisUnavailableError();
}
