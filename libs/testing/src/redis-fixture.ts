import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
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
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
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

function hasBinary(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
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
}

/** Starts a private `redis-server` on 127.0.0.1 on a free port, as BullMQ wants it (noeviction). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisHandle & { process: ChildProcess; dir: string }> {
  const port = options.port ?? (await freeTcpPort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rmfa-redis-'));
  const child = spawn(
    'redis-server',
    [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
      '--maxmemory-policy', 'noeviction', '--protected-mode', 'no', '--loglevel', 'warning',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    await waitForRedis('127.0.0.1', port);
  } catch (error) {
    child.kill('SIGKILL');
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

async function dockerAnswers(): Promise<boolean> {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 3_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * The Redis for a test suite: REDIS_URL if set; else a private redis-server on a free port;
 * else a Redis container where a Docker engine answers; else RedisUnavailableError.
 */
export async function startRedis(): Promise<RedisHandle> {
  const external = process.env['REDIS_URL'];
  if (external) {
    const url = new URL(external);
    return {
      url: external,
      host: url.hostname,
      port: Number(url.port || 6379),
      kind: 'external',
      prefix: uniquePrefix,
      stop: async () => undefined,
    };
  }
  if (hasBinary('redis-server')) return startRedisServer();
  if (await dockerAnswers()) {
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
