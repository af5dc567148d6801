// Admission and enqueue are two round trips. An ingress that dies between them leaves a pending
// transaction without a job; the NAS's retransmission, to any ingress, must get it decided.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { Code, decodePacket } from '@radius-mfa/radius-protocol';
import { admitTransaction, prepareVerdicts, transactionId } from '@radius-mfa/transactions';
import { TestNas, accessRequest, startStandInWorker, startTestIngress, testConfig, verifyReply, type StandInWorker, type TestIngress } from './harness.js';

let redis: RedisHandle;
let commands: Redis;
let ingress: TestIngress;
let worker: StandInWorker;
let nas: TestNas;

beforeAll(async () => {
  redis = await startRedis();
  const prefix = redis.prefix();
  commands = new Redis(redis.url);
  ingress = await startTestIngress(testConfig(redis, prefix));
  worker = await startStandInWorker(redis, prefix, { autoAnswer: { code: Code.AccessAccept, message: 'decided' } });
  nas = await TestNas.open();
}, 60_000);

afterAll(async () => {
  await nas?.close();
  await worker?.close();
  await ingress?.stop();
  commands?.disconnect();
  await redis?.stop();
});

/** Admits `request` as a pod would that then died: the transaction exists, 5 s old, no job. */
async function admittedByADeadPod(request: Buffer): Promise<string> {
  const packet = decodePacket(request);
  const txn = transactionId('nas', '127.0.0.1', nas.port, packet.identifier, packet.authenticator);
  const admitted = await admitTransaction(commands, ingress.keys, { txn, ingressId: 'dead-pod', ttlMs: 60_000, now: Date.now() - 5_000 });
  expect(admitted.status).toBe('new');
  return txn;
}

describe('a transaction whose job was lost', () => {
  it('is enqueued again by the ingress the retransmission reaches, once, and answered', async () => {
    const request = accessRequest({ user: 'lost', identifier: 41 });
    const txn = await admittedByADeadPod(request);
    nas.send(request, ingress.authPort);
    const reply = await nas.receive();
    expect(verifyReply(reply, request).code).toBe(Code.AccessAccept);
    expect(worker.jobs.filter((job) => job.txn === txn)).toHaveLength(1);
    // Answered now: later copies get the cached bytes and no job.
    nas.send(request, ingress.authPort);
    expect((await nas.receive()).equals(reply)).toBe(true);
    expect(worker.jobs.filter((job) => job.txn === txn)).toHaveLength(1);
  });

  it('is left alone when a worker holds its verdict (an out-of-band challenge waits)', async () => {
    const request = accessRequest({ user: 'held', identifier: 42 });
    const txn = await admittedByADeadPod(request);
    await prepareVerdicts(commands, ingress.keys, txn, { accept: Buffer.from('accept'), reject: Buffer.from('reject') }, 60_000);
    const joinedBefore = await ingress.counter('radius_duplicates_total', { outcome: 'joined' });
    nas.send(request, ingress.authPort);
    await expect.poll(() => ingress.counter('radius_duplicates_total', { outcome: 'joined' })).toBe(joinedBefore + 1);
    // A lost job would be in the queue (or taken) by the time a later request is answered.
    const later = accessRequest({ user: 'later', identifier: 43 });
    nas.send(later, ingress.authPort);
    expect(verifyReply(await nas.receive(), later).code).toBe(Code.AccessAccept);
    expect(worker.jobs.filter((job) => job.txn === txn)).toHaveLength(0);
    expect(ingress.logs.some((line) => line.includes('enqueued it again') && line.includes(txn))).toBe(false);
  });
});
