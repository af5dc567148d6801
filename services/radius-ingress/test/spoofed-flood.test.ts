// A spoofer who knows a NAS's address but not its secret (PROTOCOL-CASES 41, 42): its forged packets are
// bounded by their own bucket and never charge the client's rateLimit, so the genuine NAS keeps being answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { Code } from '@radius-mfa/radius-protocol';
import { SECRET, TestNas, accessRequest, startStandInWorker, startTestIngress, statusServer, testConfig, verifyReply, type StandInWorker, type TestIngress } from './harness.js';

const OTHER_SECRET = 'other-secret-12';
const THIRD_SECRET = 'third-secret-12';

let redis: RedisHandle;
let worker: StandInWorker;
let ingress: TestIngress;

const drops = (reason: string): Promise<number> => ingress.counter('radius_packets_dropped_total', { reason });

/** An Access-Request from the NAS's address, signed with a secret the spoofer guessed wrong. */
const forged = (): Buffer => accessRequest({ secret: 'the-spoofers-guess' });

beforeAll(async () => {
  redis = await startRedis();
  const prefix = redis.prefix();
  worker = await startStandInWorker(redis, prefix, { autoAnswer: { code: Code.AccessAccept, message: 'genuine' } });
  ingress = await startTestIngress(
    testConfig(redis, prefix, {
      clients: [
        // Verified requests 5/s, burst 10; packets before verification 50/s, burst 100.
        { name: 'nas', address: '127.0.0.1', secret: SECRET, rateLimit: { perSecond: 5, burst: 10 } },
        // Verified 1/s, burst 2; before verification 10/s, burst 20.
        { name: 'other', address: '127.0.0.5', secret: OTHER_SECRET, rateLimit: { perSecond: 1, burst: 2 } },
        { name: 'third', address: '127.0.0.6', secret: THIRD_SECRET, rateLimit: { perSecond: 1, burst: 3 } },
      ],
    }),
    { drainTimeoutMs: 2_000 },
  );
});

afterAll(async () => {
  await ingress?.stop();
  await worker?.close();
  await redis?.stop();
});

describe('forged packets from a client address', () => {
  it('do not starve the genuine NAS: 80 forged (8× its burst) among 8 genuine requests, all 8 answered', async () => {
    const nas = await TestNas.open('127.0.0.1');
    const spoofer = await TestNas.open('127.0.0.1');
    try {
      const forgedBefore = await drops('bad_message_authenticator');
      const limitedBefore = await drops('rate_limited');
      const unverifiedBefore = await drops('unverified_rate_limited');
      const jobsBefore = worker.jobs.length;
      const requests = new Map<number, Buffer>();
      for (let identifier = 0; identifier < 8; identifier++) {
        for (let i = 0; i < 10; i++) spoofer.send(forged(), ingress.authPort);
        const request = accessRequest({ identifier, user: `user${identifier}` });
        requests.set(identifier, request);
        nas.send(request, ingress.authPort);
      }
      for (let i = 0; i < 8; i++) {
        const reply = await nas.receive();
        const request = requests.get(reply[1]!);
        expect(request).toBeDefined();
        expect(verifyReply(reply, request!).code).toBe(Code.AccessAccept);
        requests.delete(reply[1]!);
      }
      expect(requests.size).toBe(0);
      await expect.poll(() => drops('bad_message_authenticator')).toBe(forgedBefore + 80);
      expect(await drops('rate_limited')).toBe(limitedBefore);
      expect(await drops('unverified_rate_limited')).toBe(unverifiedBefore);
      expect(worker.jobs.length).toBe(jobsBefore + 8);
      expect(spoofer.unread).toBe(0);
    } finally {
      await nas.close();
      await spoofer.close();
    }
  });

  it('beyond 10× the client limit are dropped as unverified_rate_limited, never charging the client bucket; other clients unaffected', async () => {
    const spoofer = await TestNas.open('127.0.0.5');
    const nas = await TestNas.open('127.0.0.1');
    try {
      const limitedBefore = await drops('rate_limited');
      const unverifiedBefore = await drops('unverified_rate_limited');
      const forgedBefore = await drops('bad_message_authenticator');
      // In batches of 100, so the ingress socket's receive buffer never overflows and every datagram is counted.
      for (let sent = 0; sent < 300; sent += 100) {
        for (let i = 0; i < 100; i++) spoofer.send(forged(), ingress.authPort);
        await expect
          .poll(async () => (await drops('unverified_rate_limited')) - unverifiedBefore + (await drops('bad_message_authenticator')) - forgedBefore)
          .toBe(sent + 100);
      }
      // 'other' verifies at most its unverified burst (20) plus what refills at 10/s while the 300 arrive.
      expect(await drops('bad_message_authenticator')).toBeGreaterThanOrEqual(forgedBefore + 20);
      expect(await drops('unverified_rate_limited')).toBeGreaterThan(unverifiedBefore);
      expect(await drops('rate_limited')).toBe(limitedBefore);
      const request = accessRequest({ user: 'bystander' });
      nas.send(request, ingress.authPort);
      expect(verifyReply(await nas.receive(), request).code).toBe(Code.AccessAccept);
    } finally {
      await spoofer.close();
      await nas.close();
    }
  });
});

describe('genuine requests over the client limit', () => {
  it('are still dropped as rate_limited once verified (PROTOCOL-CASES 42)', async () => {
    const third = await TestNas.open('127.0.0.6');
    try {
      const limitedBefore = await drops('rate_limited');
      const unverifiedBefore = await drops('unverified_rate_limited');
      const answered = (): Promise<number> => ingress.counter('radius_responses_sent_total', { client: 'third' });
      const answeredBefore = await answered();
      // Status-Server: answered at once, so every one of the 20 is either answered or limited.
      for (let i = 0; i < 20; i++) third.send(statusServer(i, THIRD_SECRET), ingress.authPort);
      await expect.poll(async () => (await drops('rate_limited')) - limitedBefore + (await answered()) - answeredBefore).toBe(20);
      // Burst 3 at 1/s: most of the 20 are over the client's limit; none is over the unverified bound (burst 30).
      expect(await drops('rate_limited')).toBeGreaterThanOrEqual(limitedBefore + 10);
      expect(await drops('unverified_rate_limited')).toBe(unverifiedBefore);
    } finally {
      await third.close();
    }
  });
});
