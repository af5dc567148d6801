// RadSec connection bounds (radius.tls.maxConnections, maxConnectionsPerAddress,
// handshakeTimeoutSeconds) on real sockets: what is over a cap is closed and counted, and the
// connections within it still carry Access-Requests. Source addresses come from 127.0.0.0/8.
import { connect as connectTcp, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, startRedis, type RedisHandle, type TestCertificate, type TestPki } from '@radius-mfa/testing';
import { Code } from '@radius-mfa/radius-protocol';
import { RadsecPeer, accessRequest, startStandInWorker, startTestIngress, testConfig, verifyReply, type StandInWorker, type TestIngress } from './harness.js';

const RADSEC = 'radsec';
let redis: RedisHandle;
let prefix: string;
let worker: StandInWorker;
let pki: TestPki;
let nasCert: TestCertificate;

interface Limits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  handshakeTimeoutSeconds?: number;
}

async function withIngress(limits: Limits, body: (ingress: TestIngress, open: (localAddress: string) => Promise<RadsecPeer>) => Promise<void>): Promise<void> {
  const ingress = await startTestIngress(
    testConfig(redis, prefix, {
      radius: {
        listen: ['tls://127.0.0.1:0'],
        accountingListen: [],
        tls: { cert: pki.server.certFile, key: pki.server.keyFile, ca: pki.ca.certFile, ...limits },
      },
      // Every source address of these tests is the one client's, and its certificate carries the client's name.
      clients: [{ name: 'radsec-nas', address: '127.0.0.0/8', secret: 'udp-secret-unused', timeoutSeconds: 30, tlsNames: ['radsec-nas'] }],
    }),
    { drainTimeoutMs: 2_000 },
  );
  const port = ingress.ingress.addresses.radsec[0]!.port;
  const peers: RadsecPeer[] = [];
  const open = async (localAddress: string): Promise<RadsecPeer> => {
    const peer = await RadsecPeer.open({ port, ca: pki.ca.cert, cert: nasCert, localAddress });
    peers.push(peer);
    return peer;
  };
  try {
    await body(ingress, open);
  } finally {
    for (const peer of peers) peer.socket.destroy();
    await ingress.stop();
  }
}

/** An Access-Request over the connection is answered (the stand-in worker accepts everything). */
async function expectAnswered(peer: RadsecPeer): Promise<void> {
  const request = accessRequest({ secret: RADSEC, user: 'heidi' });
  peer.send(request);
  expect(verifyReply(await peer.receive(), request, RADSEC).code).toBe(Code.AccessAccept);
}

/** Opens until the ingress takes the connection: a freed slot comes back once the server saw the close. */
async function openOnceFreed(open: () => Promise<RadsecPeer>): Promise<RadsecPeer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

beforeAll(async () => {
  pki = createTestPki();
  nasCert = pki.issue('radsec-nas');
  redis = await startRedis();
  prefix = redis.prefix();
  worker = await startStandInWorker(redis, prefix, { autoAnswer: { code: Code.AccessAccept, message: 'within the limits' } });
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await redis?.stop();
  pki?.remove();
});

describe('RadSec connection limits', () => {
  it('closes the connection over radius.tls.maxConnections at once, counts it, and the others still get answers', async () => {
    await withIngress({ maxConnections: 4, maxConnectionsPerAddress: 2 }, async (ingress, open) => {
      const held = [await open('127.0.0.2'), await open('127.0.0.2'), await open('127.0.0.3'), await open('127.0.0.3')];
      await expect(open('127.0.0.4')).rejects.toThrow();
      expect(await ingress.counter('radius_packets_dropped_total', { reason: 'radsec_connection_limit' })).toBe(1);
      expect(await ingress.counter('radius_packets_dropped_total', { reason: 'radsec_address_limit' })).toBe(0);
      for (const peer of held) await expectAnswered(peer);

      // A closed connection gives its slot back.
      held[0]!.socket.end();
      await held[0]!.closed;
      await expectAnswered(await openOnceFreed(() => open('127.0.0.4')));
    });
  }, 30_000);

  it('closes a connection over radius.tls.maxConnectionsPerAddress from one address, while another address still connects', async () => {
    await withIngress({ maxConnections: 16, maxConnectionsPerAddress: 2 }, async (ingress, open) => {
      const held = [await open('127.0.0.2'), await open('127.0.0.2')];
      await expect(open('127.0.0.2')).rejects.toThrow();
      expect(await ingress.counter('radius_packets_dropped_total', { reason: 'radsec_address_limit' })).toBe(1);
      const other = await open('127.0.0.3');
      for (const peer of [...held, other]) await expectAnswered(peer);
      expect(await ingress.counter('radius_packets_dropped_total', { reason: 'radsec_connection_limit' })).toBe(0);

      held[1]!.socket.end();
      await held[1]!.closed;
      await expectAnswered(await openOnceFreed(() => open('127.0.0.2')));
    });
  }, 30_000);

  it('closes and counts connections that never complete the TLS handshake, even one that trickles bytes', async () => {
    await withIngress({ maxConnections: 16, maxConnectionsPerAddress: 2, handshakeTimeoutSeconds: 1 }, async (ingress, open) => {
      const port = ingress.ingress.addresses.radsec[0]!.port;
      const tcp = (): Promise<{ socket: Socket; closed: Promise<void> }> =>
        new Promise((resolve, reject) => {
          const socket = connectTcp({ host: '127.0.0.1', port, localAddress: '127.0.0.5' });
          const closed = new Promise<void>((done) => socket.once('close', () => done()));
          socket.on('error', () => undefined);
          socket.once('connect', () => resolve({ socket, closed }));
          socket.once('close', () => reject(new Error('closed before connecting')));
        });
      const silent = await tcp();
      const trickling = await tcp();
      // A TLS record header announcing 16 KiB, then a byte at a time: an idle timer would never fire.
      trickling.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00]));
      const trickle = setInterval(() => trickling.socket.write(Buffer.from([0])), 100);
      try {
        // While they handshake they hold their address's slots.
        await expect(open('127.0.0.5')).rejects.toThrow();
        expect(await ingress.counter('radius_packets_dropped_total', { reason: 'radsec_address_limit' })).toBe(1);
        // The test's timeout is the generous bound.
        await Promise.all([silent.closed, trickling.closed]);
      } finally {
        clearInterval(trickle);
      }
      await expect.poll(() => ingress.counter('radius_packets_dropped_total', { reason: 'radsec_handshake_timeout' })).toBe(2);
      // Their slots are free again, and a completed handshake is not cut off by the deadline.
      const peer = await openOnceFreed(() => open('127.0.0.5'));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await expectAnswered(peer);
      expect(await ingress.counter('radius_packets_dropped_total', { reason: 'radsec_handshake_timeout' })).toBe(2);
    });
  }, 30_000);
});
