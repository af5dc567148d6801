// No connection autopipelines by default (BullMQ's never do; see createRedis): the commands issued
// in one event-loop turn still leave in one socket write. Checked on a real redis-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Socket } from 'node:net';
import { createRedis } from '@radius-mfa/runtime';
import { startRedisServer, type RedisHandle } from '@radius-mfa/testing';
import { countWrites } from './socket-writes.js';

async function connected(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  // The 'connect' handler that corks new sockets runs on the next tick after the status changes.
  await new Promise((resolve) => setImmediate(resolve));
}

describe('connections without autopipelining: one socket write per event-loop turn', () => {
  let server: RedisHandle;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });

  function bullmqConnection(purpose: string): Redis {
    const redis = createRedis({ url: server.url, keyPrefix: '{t}' }, purpose, { bullmq: true }) as Redis;
    clients.push(redis);
    return redis;
  }

  it('sends 200 commands of one turn in one writev, in order, with every reply right', async () => {
    const redis = bullmqConnection('worker');
    await connected(redis);
    const counts = countWrites(redis);
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? redis.incr('counter') : redis.rpush('list', String(i)))));
    // INCR and RPUSH interleaved: any reordering would show in the running counts.
    expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => Math.floor(i / 2) + 1));
    expect(counts).toEqual({ writes: 0, writevs: 1 });
    expect(await redis.lrange('list', 0, -1)).toEqual(Array.from({ length: 100 }, (_, i) => String(2 * i + 1)));
  });

  it('our own connections too (no autopipelining by default): a turn\'s commands in one writev', async () => {
    const redis = createRedis({ url: server.url, keyPrefix: '{t}' }, 'ingress') as Redis;
    clients.push(redis);
    await connected(redis);
    expect(redis.options.enableAutoPipelining).toBe(false);
    const counts = countWrites(redis);
    const [, exists, all] = await Promise.all([redis.hset('user', 'a', '1'), redis.hexists('txn', 'response'), redis.hgetall('user')]);
    expect(counts).toEqual({ writes: 0, writevs: 1 });
    expect([exists, all]).toEqual([0, { a: '1' }]);
  });

  it('commands of separate turns are not held back: each turn is flushed before the next', async () => {
    const redis = bullmqConnection('worker-turns');
    await connected(redis);
    const counts = countWrites(redis);
    for (let i = 0; i < 5; i++) expect(await redis.set(`turn:${i}`, 'v')).toBe('OK');
    // One command per turn: each goes out as a single write, and each was answered (nothing waited for a later turn).
    expect(counts.writes + counts.writevs).toBe(5);
  });

  it('corks the new socket after a reconnect too', async () => {
    const redis = bullmqConnection('worker-reconnect');
    await connected(redis);
    const before = (redis as unknown as { stream: Socket }).stream;
    const reconnected = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    redis.disconnect(true);
    await reconnected;
    await new Promise((resolve) => setImmediate(resolve));
    expect((redis as unknown as { stream: Socket }).stream).not.toBe(before);
    const counts = countWrites(redis);
    await Promise.all(Array.from({ length: 20 }, (_, i) => redis.set(`again:${i}`, 'v')));
    expect(counts).toEqual({ writes: 0, writevs: 1 });
  });
});
