// The Redis of `npm start` when no REDIS_URL is given: a private redis-server with its AOF in the
// data directory (enrollments survive a restart); where no binary exists but a Docker engine answers,
// a Redis container (testcontainers) with the same directory mounted.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

export interface EmbeddedRedis {
  readonly url: string;
  /** For the ready line: how Redis was obtained. */
  readonly description: string;
  stop(): Promise<void>;
}

export class NoRedisError extends Error {
  readonly code = 'NO_REDIS';
  constructor() {
    super(
      [
        'no Redis: there is no redis-server on PATH and no Docker engine answers. Either',
        '  - install Redis: `apt-get install redis-server` (Debian/Ubuntu), `brew install redis` (macOS), or',
        '  - start Docker, and a Redis container is used, or',
        '  - point at a Redis you run: REDIS_URL=redis://host:6379 npm start',
      ].join('\n'),
    );
    this.name = 'NoRedisError';
  }
}

const run = promisify(execFile);

async function answers(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args, { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/** A TCP port on 127.0.0.1 the kernel says is free now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startRedisServer(dir: string, onExit: (code: number | null) => void): Promise<EmbeddedRedis> {
  const port = await freeLoopbackPort();
  // detached: its own process group, so the terminal's Ctrl-C reaches only us; we stop it after
  // the roles have drained, not while they still write.
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  let stopping = false;
  child.once('exit', (code) => {
    if (!stopping) onExit(code);
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    description: `a private redis-server (pid ${child.pid}, 127.0.0.1:${port}), data in ${dir}`,
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGTERM: Redis flushes the AOF and exits; SIGKILL only if it hangs.
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 10_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    },
  };
}

async function startRedisContainer(dir: string): Promise<EmbeddedRedis> {
  // Imported only here: testcontainers is a development dependency and most runs never need it.
  const { RedisContainer } = await import('@testcontainers/redis');
  // withPersistence mounts `dir` at /data with AOF on; the image's default policy is noeviction, as BullMQ needs.
  const container = await new RedisContainer('redis:7-alpine').withPersistence(dir).start();
  return {
    url: container.getConnectionUrl(),
    description: `a Redis container (${container.getId().slice(0, 12)}), data in ${dir}`,
    async stop() {
      await container.stop();
    },
  };
}

/**
 * Starts Redis with its data in `dir`. `onUnexpectedExit` runs if a redis-server dies on its own
 * (the demo then shuts down rather than run without its store).
 */
export async function startEmbeddedRedis(dir: string, onUnexpectedExit: (code: number | null) => void): Promise<EmbeddedRedis> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (await answers('redis-server', ['--version'])) return startRedisServer(dir, onUnexpectedExit);
  if (await answers('docker', ['info'])) return startRedisContainer(dir);
  throw new NoRedisError();
}
