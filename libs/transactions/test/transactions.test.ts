import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { auditFields, redisKeys, type AuditEvent, type DeliveryMessage } from '@radius-mfa/contracts';
import {
  admitTransaction,
  deliverPreparedVerdict,
  deliverVerdict,
  prepareVerdicts,
  subscribeDeliveries,
  transactionId,
} from '@radius-mfa/transactions';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';

const auth = Buffer.alloc(16, 7);

describe('transactions', () => {
  let server: RedisHandle;
  let a: Redis;
  let b: Redis;
  beforeAll(async () => {
    server = await startRedis();
    a = new Redis(server.url);
    b = new Redis(server.url);
  });
  afterAll(async () => {
    a.disconnect();
    b.disconnect();
    await server.stop();
  });

  it('identifies a transaction by client, source, port, Identifier and authenticator', () => {
    const base = transactionId('vpn', '10.0.0.1', 4000, 7, auth);
    expect(base).toMatch(/^[0-9a-f]{32}$/);
    expect(transactionId('vpn', '10.0.0.1', 4000, 7, auth)).toBe(base);
    expect(transactionId('vpn', '10.0.0.1', 4001, 7, auth)).not.toBe(base);
    expect(transactionId('vpn', '10.0.0.1', 4000, 8, auth)).not.toBe(base);
    expect(transactionId('vpn', '10.0.0.1', 4000, 7, Buffer.alloc(16, 8))).not.toBe(base);
    expect(transactionId('wifi', '10.0.0.1', 4000, 7, auth)).not.toBe(base);
  });

  it('admits a transaction once however many ingresses race for it', async () => {
    const keys = redisKeys(server.prefix());
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => admitTransaction(i % 2 ? a : b, keys, { txn: 'race', ingressId: `ing-${i % 3}`, ttlMs: 10_000 })),
    );
    expect(results.filter((r) => r.status === 'new')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'pending')).toHaveLength(19);
    expect((await a.smembers(keys.txnWaiters('race'))).sort()).toEqual(['ing-0', 'ing-1', 'ing-2']);
    const ttl = await a.pttl(keys.txn('race'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });

  it("admits a new transaction in five Redis commands and a joined one in two (a script's own calls, seen by MONITOR)", async () => {
    const keys = redisKeys(server.prefix());
    const monitored = new Redis(server.url);
    const monitor = await monitored.monitor();
    const scriptCalls = async (txn: string, run: () => Promise<unknown>): Promise<string[]> => {
      const seen: string[] = [];
      const marker = `end-${txn}-${Math.random()}`;
      let onMonitor: (time: string, args: string[], source: string) => void = () => undefined;
      const drained = new Promise<void>((resolve) => {
        onMonitor = (_time, args, source) => {
          if (args[0] === 'echo' && args[1] === marker) resolve();
          else if (source === 'lua' && args.some((arg) => arg.includes(txn))) seen.push(args[0]!.toLowerCase());
        };
      });
      monitor.on('monitor', onMonitor);
      await run();
      await a.echo(marker);
      await drained;
      monitor.off('monitor', onMonitor);
      return seen;
    };
    try {
      const admit = (ingressId: string) => admitTransaction(a, keys, { txn: 'counted', ingressId, ttlMs: 10_000 });
      expect(await scriptCalls('counted', () => admit('ing-1'))).toEqual(['hmget', 'sadd', 'hset', 'pexpire', 'pexpire']);
      expect(await scriptCalls('counted', () => admit('ing-2'))).toEqual(['hmget', 'sadd']);
    } finally {
      monitor.disconnect();
      monitored.disconnect();
    }
  });

  it('publishes the verdict to every waiting ingress and caches identical bytes', async () => {
    const keys = redisKeys(server.prefix());
    const subscribers = [new Redis(server.url), new Redis(server.url)];
    const received: Record<string, DeliveryMessage[]> = { one: [], two: [] };
    const arrived = (name: string): Promise<void> =>
      new Promise((resolve) => {
        const timer = setInterval(() => {
          if ((received[name] ?? []).length > 0) {
            clearInterval(timer);
            resolve();
          }
        }, 5);
      });
    const subs = await Promise.all(
      (['one', 'two'] as const).map((name, i) => subscribeDeliveries(subscribers[i]!, keys, name, (m) => received[name]!.push(m))),
    );
    try {
      expect((await admitTransaction(a, keys, { txn: 't1', ingressId: 'one', ttlMs: 10_000 })).status).toBe('new');
      expect((await admitTransaction(b, keys, { txn: 't1', ingressId: 'two', ttlMs: 10_000 })).status).toBe('pending');
      const accept = Buffer.from('02'.padEnd(40, 'a'), 'hex');
      const first = await deliverVerdict(a, keys, 't1', accept);
      expect(first.decided).toBe(true);
      await Promise.all([arrived('one'), arrived('two')]);
      expect(received['one']![0]!.response.equals(accept)).toBe(true);
      expect(received['two']![0]!.txn).toBe('t1');

      // A later verdict (a timeout racing an approval) does not replace the first.
      const reject = Buffer.from('03'.padEnd(40, 'b'), 'hex');
      const second = await deliverVerdict(b, keys, 't1', reject);
      expect(second.decided).toBe(false);
      expect(second.response.equals(accept)).toBe(true);

      // A retransmission after the answer gets the cached bytes, from any ingress.
      const again = await admitTransaction(b, keys, { txn: 't1', ingressId: 'three', ttlMs: 10_000 });
      expect(again.status).toBe('answered');
      expect(again.status === 'answered' && again.response.equals(accept)).toBe(true);
    } finally {
      await Promise.all(subs.map((s) => s.close()));
      subscribers.forEach((s) => s.disconnect());
    }
  });

  it('writes the audit entry with the verdict that decides, and none for a later one (a retried or duplicate job)', async () => {
    const keys = redisKeys(server.prefix());
    await admitTransaction(a, keys, { txn: 'au1', ingressId: 'ing', ttlMs: 10_000 });
    const event = (reason: string): AuditEvent => ({ at: 1, user: 'alice', client: 'vpn', method: 'totp', outcome: 'accept', reason, txn: 'au1' });
    const accept = Buffer.from('02'.padEnd(40, 'a'), 'hex');
    const first = await deliverVerdict(a, keys, 'au1', accept, { audit: event('first') });
    expect(first.decided).toBe(true);
    const again = await deliverVerdict(a, keys, 'au1', accept, { audit: event('retried') });
    expect(again.decided).toBe(false);
    expect(again.response.equals(accept)).toBe(true);
    const entries = await a.xrange(keys.audit(), '-', '+');
    expect(entries.map(([, fields]) => fields[fields.indexOf('reason') + 1])).toEqual(['first']);
    expect(entries[0]![1]).toEqual(auditFields(event('first')));
    // Without an audit event nothing is added (results-api and the ingress audit on their own).
    await deliverVerdict(a, keys, 'au2', accept);
    expect(await a.xlen(keys.audit())).toBe(1);
  });
});

describe('prepared verdicts', () => {
  let server: RedisHandle;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('delivers the prepared Accept to the waiters, once, and extends the pending lifetime', async () => {
    const keys = redisKeys(server.prefix());
    const subscriber = new Redis(server.url);
    const got: DeliveryMessage[] = [];
    const sub = await subscribeDeliveries(subscriber, keys, 'ing', (m) => got.push(m));
    try {
      await admitTransaction(redis, keys, { txn: 'p1', ingressId: 'ing', ttlMs: 1_000 });
      const accept = Buffer.from('02'.padEnd(44, 'c'), 'hex');
      const reject = Buffer.from('03'.padEnd(44, 'd'), 'hex');
      expect(await prepareVerdicts(redis, keys, 'p1', { accept, reject }, 90_000)).toBe(true);
      expect(await redis.pttl(keys.txn('p1'))).toBeGreaterThan(1_000);
      const first = await deliverPreparedVerdict(redis, keys, 'p1', 'accept');
      expect(first.decided).toBe(true);
      expect(first.response?.equals(accept)).toBe(true);
      const late = await deliverPreparedVerdict(redis, keys, 'p1', 'reject');
      expect(late.decided).toBe(false);
      expect(late.response?.equals(accept)).toBe(true);
      await expect.poll(() => got.length).toBe(1);
      expect(got[0]!.txn).toBe('p1');
      expect(got[0]!.response.equals(accept)).toBe(true);
      expect(await prepareVerdicts(redis, keys, 'p1', { accept, reject }, 90_000)).toBe(false);
    } finally {
      await sub.close();
      subscriber.disconnect();
    }
  });

  it('says nothing was prepared for an unknown transaction', async () => {
    const keys = redisKeys(server.prefix());
    const result = await deliverPreparedVerdict(redis, keys, 'nope', 'accept');
    expect(result).toEqual({ decided: false, response: undefined });
    expect(await prepareVerdicts(redis, keys, 'nope', { accept: Buffer.alloc(20), reject: Buffer.alloc(20) }, 1000)).toBe(false);
  });
});

describe('on an auto-pipelining connection', () => {
  it('runs every script in the same batch as other commands (no lazily defined commands)', async () => {
    const server = await startRedis();
    // A fresh connection whose first batch mixes plain commands and every script: ioredis copies
    // defineCommand'ed commands into a batch only when it opens it, so lazy definitions failed here.
    const redis = new Redis(server.url, { enableAutoPipelining: true });
    try {
      const keys = redisKeys(server.prefix());
      const accept = Buffer.from('02'.padEnd(44, 'e'), 'hex');
      const results = await Promise.all([
        redis.set(keys.txn('other'), '1'),
        admitTransaction(redis, keys, { txn: 'ap', ingressId: 'i', ttlMs: 5_000 }),
        prepareVerdicts(redis, keys, 'ap', { accept, reject: accept }, 5_000),
        deliverPreparedVerdict(redis, keys, 'ap', 'accept'),
        deliverVerdict(redis, keys, 'ap2', accept),
      ]);
      expect(results[1]).toMatchObject({ status: 'new' });
      expect(results[3].response?.equals(accept)).toBe(true);
      expect(results[4].decided).toBe(true);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});
