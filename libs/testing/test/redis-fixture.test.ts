import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { DaemonStartError, RedisUnavailableError, startRedis, startRedisServer, type RedisHandle } from '@radius-mfa/testing';

describe('Redis fixture', () => {
  let redis: RedisHandle;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('gives a Redis that really stores and returns data', async () => {
    const client = new Redis(redis.url);
    try {
      const key = `${redis.prefix()}:probe`;
      await client.set(key, 'value-1');
      expect(await client.get(key)).toBe('value-1');
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      client.disconnect();
    }
  });

  it('gives each caller its own hash-tagged prefix', () => {
    const a = redis.prefix();
    const b = redis.prefix();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\{t[0-9a-f]{12}\}$/);
  });

  it('stops a private redis-server and leaves its port closed', async () => {
    const own = await startRedisServer();
    const client = new Redis(own.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await own.stop();
    const after = new Redis(own.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    after.on('error', () => undefined);
    await expect(after.connect()).rejects.toThrow();
    after.disconnect();
  });

  it('a redis-server that is not installed fails the suite with DaemonStartError naming the package, not a crash', async () => {
    const started = startRedisServer({ command: join(tmpdir(), 'rmfa-no-such-dir', 'redis-server') });
    await expect(started).rejects.toBeInstanceOf(DaemonStartError);
    await expect(started).rejects.toThrow(/not installed.*apt-get install -y redis-server/);
  });

  it('a redis-server that exits at once fails with its own message, without waiting out the PING deadline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rmfa-redis-bad-'));
    // The old fixture waited out its 10 s PING deadline and said only that nothing answered.
    await expect(startRedisServer({ dir, args: ['--no-such-option', 'x'] })).rejects.toThrow(/exited \(code 1\) before answering PING: .*no-such-option/s);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('startRedis: which Redis', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'rmfa-redis-fixture-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** A PATH directory holding `docker` that records its arguments and fails (an engine that does not answer), plus the given links. */
  function pathWith(name: string, links: Record<string, string> = {}): { path: string; dockerCalls: () => string } {
    const dir = join(scratch, name);
    mkdirSync(dir);
    const calls = join(dir, 'docker-calls');
    writeFileSync(join(dir, 'docker'), `#!/bin/sh\necho "$*" >> '${calls}'\nexit 1\n`, { mode: 0o755 });
    for (const [link, target] of Object.entries(links)) symlinkSync(target, join(dir, link));
    return { path: dir, dockerCalls: () => (existsSync(calls) ? readFileSync(calls, 'utf8') : '') };
  }

  it('REDIS_URL: uses that server and database with its own prefixes, and stop() deletes only its keys', async () => {
    const server = await startRedisServer();
    const db0 = new Redis(server.url);
    const db3 = new Redis(`${server.url}/3`);
    try {
      // PATH without redis-server or docker: REDIS_URL alone must do.
      const redis = await startRedis({ REDIS_URL: `${server.url}/3`, PATH: pathWith('external').path });
      expect(redis).toMatchObject({ kind: 'external', url: `${server.url}/3`, host: '127.0.0.1', port: server.port });
      const [a, b] = [redis.prefix(), redis.prefix()];
      expect(a).not.toBe(b);

      const suite = new Redis(redis.url);
      const many = Array.from({ length: 2_500 }, (_, i) => [`${a}:key:${i}`, 'v']).flat();
      await suite.mset(...many);
      await suite.hset(`${b}:hash`, 'field', 'v');
      suite.disconnect();
      await db3.set('{tforeign}:kept', 'v');
      await db0.set(`${a}:other-database`, 'v');
      expect(await db3.dbsize()).toBe(2_502);

      await redis.stop();
      expect(await db3.keys('*')).toEqual(['{tforeign}:kept']);
      expect(await db0.keys('*')).toEqual([`${a}:other-database`]);
      await redis.stop();
    } finally {
      db0.disconnect();
      db3.disconnect();
      await server.stop();
    }
  });

  it('takes a local redis-server before a Docker engine', async () => {
    const redisServer = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
    const { path, dockerCalls } = pathWith('local', { 'redis-server': redisServer });
    const redis = await startRedis({ PATH: path });
    try {
      expect(redis.kind).toBe('redis-server');
      expect(dockerCalls()).toBe('');
    } finally {
      await redis.stop();
    }
  });

  it.each([
    ['a docker client whose engine does not answer', true],
    ['no docker at all', false],
  ])('without REDIS_URL, redis-server or a Docker engine (%s) fails naming every way to get Redis', async (name, withDocker) => {
    const { path, dockerCalls } = pathWith(name.replaceAll(' ', '-'));
    if (!withDocker) rmSync(join(path, 'docker'));
    const failure = await startRedis({ PATH: path }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(RedisUnavailableError);
    const { message } = failure as RedisUnavailableError;
    expect(message).toContain('set REDIS_URL');
    expect(message).toContain('install redis-server');
    expect(message).toContain('Docker engine');
    expect(dockerCalls()).toBe(withDocker ? 'info\n' : '');
  });
});
