// createRedis against real servers: a single Redis, a Sentinel in front of it, and a one-node Cluster.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis, type Cluster } from 'ioredis';
import { createRedis, RedisAddressError, redisConnectionName, type RedisClient } from '@radius-mfa/runtime';
import { freeTcpPort, startRedisServer, waitForRedis, type RedisHandle } from '@radius-mfa/testing';
import { countWrites } from './socket-writes.js';

const opened: RedisClient[] = [];
function track<T extends RedisClient>(client: T): T {
  opened.push(client);
  return client;
}

/** Each describe closes its clients before it stops its servers, so nothing reconnects to a dead port. */
async function closeTracked(): Promise<void> {
  const all = opened.splice(0);
  await Promise.all(all.map((c) => c.quit().catch(() => c.disconnect())));
}

describe('createRedis: addresses', () => {
  it('a Sentinel address that is not host:port is a typed RedisAddressError', () => {
    const error: unknown = (() => {
      try {
        createRedis({ url: 'redis://127.0.0.1:1', keyPrefix: '{t}', sentinel: { name: 'primary', sentinels: ['127.0.0.1:26379', 'no-port-here'] } }, 'bad-sentinel');
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(RedisAddressError);
    expect(error).toMatchObject({ code: 'REDIS_ADDRESS_INVALID', address: 'no-port-here' });
  });
});

describe('createRedis: one server', () => {
  let server: RedisHandle;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await closeTracked();
    await server?.stop();
  });

  it('names the connection after its purpose, visible in CLIENT LIST', async () => {
    const redis = track(createRedis({ url: server.url, keyPrefix: '{t}' }, 'ingress:deliveries'));
    expect(await redis.ping()).toBe('PONG');
    expect(await redis.client('GETNAME')).toBe(redisConnectionName('ingress:deliveries'));
    expect(String(await redis.client('LIST'))).toContain('name=rmfa:ingress:deliveries');
  });

  it('lets BullMQ connections wait out a reconnect (maxRetriesPerRequest: null), others fail fast', () => {
    const bullmq = track(createRedis({ url: server.url, keyPrefix: '{t}' }, 'queue', { bullmq: true })) as Redis;
    const plain = track(createRedis({ url: server.url, keyPrefix: '{t}' }, 'plain')) as Redis;
    const producer = track(createRedis({ url: server.url, keyPrefix: '{t}' }, 'producer', { bullmq: 'fail-fast' })) as Redis;
    expect(bullmq.options.maxRetriesPerRequest).toBeNull();
    expect(plain.options.maxRetriesPerRequest).toBeGreaterThan(0);
    // A Queue on the request path fails as fast as our own connections, and is no more autopipelined than any BullMQ one.
    expect(producer.options.maxRetriesPerRequest).toBe(plain.options.maxRetriesPerRequest);
    expect(producer.options.enableAutoPipelining).toBe(false);
  });

  it('autopipelines no connection unless told to (each turn is one socket write anyway), blocking commands apart, and a turn\'s commands keep their own replies', async () => {
    const bullmq = track(createRedis({ url: server.url, keyPrefix: '{t}' }, 'queue', { bullmq: true })) as Redis;
    const plain = track(createRedis({ url: server.url, keyPrefix: '{t}' }, 'coalesced')) as Redis;
    const optedIn = track(createRedis({ url: server.url, keyPrefix: '{t}' }, 'pipelined', { autoPipelining: true })) as Redis;
    expect(bullmq.options.enableAutoPipelining).toBe(false);
    // BullMQ's blocking connection is a duplicate: it inherits the options, BZPOPMIN stays unbatched.
    expect(track(bullmq.duplicate()).options.autoPipeliningIgnoredCommands).toContain('bzpopmin');
    expect(plain.options.enableAutoPipelining).toBe(false);
    expect(optedIn.options.enableAutoPipelining).toBe(true);
    // Issued in one turn: one write on the wire (coalesce-writes.test.ts), each promise its own reply (errors included).
    for (const [i, redis] of [plain, optedIn].entries()) {
      const key = `{t}:p${i}`;
      const replies = await Promise.allSettled([redis.set(key, 'a'), redis.incr(key), redis.append(key, 'b'), redis.get(key)]);
      expect(replies.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(replies[3]).toEqual({ status: 'fulfilled', value: 'ab' });
    }
  });
});

describe('createRedis: Sentinel', () => {
  let master: RedisHandle;
  let sentinel: ChildProcess;
  let sentinelPort: number;
  let dir: string;

  beforeAll(async () => {
    master = await startRedisServer();
    sentinelPort = await freeTcpPort();
    dir = mkdtempSync(join(tmpdir(), 'rmfa-sentinel-'));
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(conf, `port ${sentinelPort}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor primary 127.0.0.1 ${master.port} 1\n`);
    sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    await waitForRedis('127.0.0.1', sentinelPort);
  });

  afterAll(async () => {
    await closeTracked();
    if (sentinel && sentinel.exitCode === null) {
      await new Promise<void>((resolve) => {
        sentinel.once('exit', () => resolve());
        sentinel.kill('SIGTERM');
      });
    }
    await master?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the master through the sentinels', async () => {
    const redis = track(
      createRedis({ url: 'redis://ignored-host:1', keyPrefix: '{t}', sentinel: { name: 'primary', sentinels: [`127.0.0.1:${sentinelPort}`] } }, 'via-sentinel'),
    );
    await redis.set('{t}:k', 'v');
    const direct = track(new Redis(master.port, '127.0.0.1'));
    expect(await direct.get('{t}:k')).toBe('v');
  });
});

describe('createRedis: Cluster', () => {
  let node: RedisHandle;

  beforeAll(async () => {
    node = await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-announce-ip', '127.0.0.1'] });
    const admin = new Redis(node.port, '127.0.0.1');
    try {
      await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
      // The node reports ok once it has taken the slots.
      for (;;) {
        const info = String(await admin.call('CLUSTER', 'INFO'));
        if (info.includes('cluster_state:ok')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      admin.disconnect();
    }
  });

  afterAll(async () => {
    await closeTracked();
    await node?.stop();
  });

  it('connects to the seed nodes and serves hash-tagged keys', async () => {
    const cluster = track(createRedis({ url: 'redis://127.0.0.1:1', keyPrefix: '{rmfa}', cluster: { nodes: [node.url] } }, 'cluster'));
    await cluster.set('{rmfa}:a', '1');
    expect(await cluster.get('{rmfa}:a')).toBe('1');
  });

  it('does not autopipeline unless told to (the option is the Cluster\'s); a turn\'s commands to a node leave in one write', async () => {
    const cluster = track(createRedis({ url: 'redis://127.0.0.1:1', keyPrefix: '{rmfa}', cluster: { nodes: [node.url] } }, 'cluster-coalesced')) as Cluster;
    expect(cluster.options.enableAutoPipelining).toBe(false);
    await cluster.set('{rmfa}:n', '0');
    const [connection] = cluster.nodes('master');
    const counts = countWrites(connection!);
    const replies = await Promise.all([cluster.set('{rmfa}:n', '1'), cluster.incr('{rmfa}:n'), cluster.incr('{rmfa}:n')]);
    expect(replies).toEqual(['OK', 2, 3]);
    expect(counts).toEqual({ writes: 0, writevs: 1 });
    const optedIn = track(createRedis({ url: 'redis://127.0.0.1:1', keyPrefix: '{rmfa}', cluster: { nodes: [node.url] } }, 'cluster-pipelined', { autoPipelining: true }));
    expect(optedIn.options.enableAutoPipelining).toBe(true);
    const [, count] = await Promise.all([optedIn.set('{rmfa}:m', '1'), optedIn.incr('{rmfa}:m')]);
    expect(count).toBe(2);
  });
});
