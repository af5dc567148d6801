// RadSec (RFC 6614): mutual TLS, framing by Length, the close rules of PROTOCOL-CASES §RadSec,
// and radsecproxy (Debian) bridging a UDP NAS to our RadSec port.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, freeUdpPort, startDaemonProcess, startRedis, type DaemonProcess, type RedisHandle, type TestCertificate, type TestPki } from '@radius-mfa/testing';
import { Attr, Code, buildRequest, textAttribute } from '@radius-mfa/radius-protocol';
import { RadsecPeer, accessRequest, startStandInWorker, startTestIngress, statusServer, testConfig, verifyReply, type StandInWorker, type TestIngress } from './harness.js';

const RADSEC = 'radsec';
let redis: RedisHandle;
let worker: StandInWorker;
let ingress: TestIngress;
let pki: TestPki;
let nasCert: TestCertificate;
let port: number;

const dropped = (reason: string): Promise<number> => ingress.counter('radius_packets_dropped_total', { reason });

/** A RadSec connection to the ingress under test. */
function openPeer(cert: TestCertificate | undefined, options: { maxVersion?: 'TLSv1.1' } = {}): Promise<RadsecPeer> {
  return RadsecPeer.open({ port, ca: pki.ca.cert, ...(cert && { cert }), ...options });
}

beforeAll(async () => {
  pki = createTestPki();
  nasCert = pki.issue('radsec-nas');
  redis = await startRedis();
  const prefix = redis.prefix();
  worker = await startStandInWorker(redis, prefix);
  ingress = await startTestIngress(
    testConfig(redis, prefix, {
      radius: {
        listen: ['udp://127.0.0.1:0', 'tls://127.0.0.1:0'],
        accountingListen: [],
        tls: { cert: pki.server.certFile, key: pki.server.keyFile, ca: pki.ca.certFile },
      },
      // Chosen by source address (radsecproxy connects from 127.0.0.1 too), then the certificate's CN.
      clients: [{ name: 'radsec-nas', address: '127.0.0.1', secret: 'udp-secret-unused', timeoutSeconds: 30, tlsNames: ['radsec-nas'] }],
    }),
    { radsecIdleTimeoutMs: 1_000, drainTimeoutMs: 2_000 },
  );
  port = ingress.ingress.addresses.radsec[0]!.port;
}, 120_000);

afterAll(async () => {
  await ingress?.stop();
  await worker?.close();
  await redis?.stop();
  pki?.remove();
});

describe('RadSec (RFC 6614)', () => {
  it('admits an Access-Request from a client chosen by address and certificate, signed with "radsec", and answers on the connection', async () => {
    const peer = await openPeer(nasCert);
    const request = accessRequest({ secret: RADSEC, user: 'heidi' });
    peer.send(request);
    const job = await worker.nextJob();
    expect(job).toMatchObject({ client: 'radsec-nas', transport: 'radsec' });
    await worker.answer(job, Code.AccessAccept, 'over tls');
    expect(verifyReply(await peer.receive(), request, RADSEC).code).toBe(Code.AccessAccept);
    peer.socket.end();
  });

  it('handles two packets in one segment (PROTOCOL-CASES 39)', async () => {
    const peer = await openPeer(nasCert);
    const [a, b] = [statusServer(1, RADSEC), statusServer(2, RADSEC)];
    peer.send(Buffer.concat([a, b]));
    const replies = [await peer.receive(), await peer.receive()];
    expect(replies.map((r) => r[1]).sort()).toEqual([1, 2]);
    verifyReply(replies.find((r) => r[1] === 1)!, a, RADSEC);
    peer.socket.end();
  });

  it('answers accounting on the same connection once stored', async () => {
    const peer = await openPeer(nasCert);
    const request = buildRequest({
      code: Code.AccountingRequest,
      identifier: 3,
      attributes: [textAttribute(Attr.UserName, 'heidi'), { type: Attr.AcctStatusType, value: Buffer.from([0, 0, 0, 1]) }],
      secret: Buffer.from(RADSEC),
      messageAuthenticator: false,
    });
    peer.send(request);
    expect(verifyReply(await peer.receive(), request, RADSEC).code).toBe(Code.AccountingResponse);
    peer.socket.end();
  });

  it('closes an idle connection that sent half a header (PROTOCOL-CASES 39)', async () => {
    const peer = await openPeer(nasCert);
    peer.send(Buffer.from([1, 2]));
    await peer.closed;
  });

  const closing: [string, string, (peer: RadsecPeer) => void][] = [
    [
      'a Length out of bounds',
      'bad_length',
      (peer) => {
        const packet = statusServer(4, RADSEC);
        packet.writeUInt16BE(4097, 2);
        peer.send(packet);
      },
    ],
    ['a bad Message-Authenticator', 'bad_message_authenticator', (peer) => peer.send(accessRequest({ secret: 'not-radsec' }))],
    ['a missing Message-Authenticator', 'missing_message_authenticator', (peer) => peer.send(accessRequest({ secret: RADSEC, messageAuthenticator: false }))],
  ];
  for (const [what, reason, send] of closing) {
    it(`closes the connection on ${what} and counts it once (PROTOCOL-CASES 40)`, async () => {
      const before = await dropped(reason);
      const peer = await openPeer(nasCert);
      send(peer);
      await peer.closed;
      await expect(peer.receive()).rejects.toThrow(/closed/);
      await expect.poll(() => dropped(reason)).toBe(before + 1);
    });
  }

  it('refuses a client without a certificate, and TLS below 1.2 (PROTOCOL-CASES 38)', async () => {
    const anonymous = await openPeer(undefined).catch((error: unknown) => error);
    if (anonymous instanceof RadsecPeer) {
      // TLS 1.3 reports the refused client certificate after the handshake, as an alert.
      anonymous.send(statusServer(6, RADSEC));
      await anonymous.closed;
      await expect(anonymous.receive()).rejects.toThrow(/closed/);
    } else {
      expect(anonymous).toBeInstanceOf(Error);
    }
    await expect(openPeer(nasCert, { maxVersion: 'TLSv1.1' })).rejects.toThrow();
  });
});

describe('radsecproxy (Debian) bridging UDP to our RadSec port', () => {
  let proxy: DaemonProcess | undefined;
  afterAll(async () => {
    await proxy?.stop();
  });

  it('forwards a radclient request over mutual TLS and relays the answer', async () => {
    const udpPort = await freeUdpPort();
    // Its own dir (the fixture removes it on stop), with the config; the certificates stay in the PKI's.
    const conf = join(mkdtempSync(join(tmpdir(), 'rmfa-radsecproxy-')), 'radsecproxy.conf');
    writeFileSync(
      conf,
      [
        `ListenUDP 127.0.0.1:${udpPort}`,
        'LoopPrevention off',
        'client local-nas {\n  type udp\n  host 127.0.0.1\n  secret proxy-secret-1\n}',
        `tls default {\n  CACertificateFile ${pki.ca.certFile}\n  CertificateFile ${nasCert.certFile}\n  CertificateKeyFile ${nasCert.keyFile}\n}`,
        `server ingress {\n  type tls\n  host 127.0.0.1\n  port ${port}\n  secret radsec\n  tls default\n}`,
        'realm * {\n  server ingress\n}',
        '',
      ].join('\n'),
    );
    // Through the fixture: a missing radsecproxy fails the test with DaemonStartError naming the package.
    proxy = startDaemonProcess('radsecproxy', ['-f', '-c', conf], join(conf, '..'));
    await proxy.started();
    const running = proxy;
    const jobs = worker.jobs.length;
    const answering = (async () => {
      const job = await worker.nextJob();
      await worker.answer(job, Code.AccessAccept, 'via radsecproxy');
      return job;
    })();
    // On a loaded machine radsecproxy may take seconds to bind: ask radclient only once it listens.
    const bound = (): boolean => readFileSync('/proc/net/udp', 'utf8').includes(`:${udpPort.toString(16).toUpperCase().padStart(4, '0')} `);
    for (let waited = 0; !bound(); waited += 100) {
      if (waited > 20_000 || running.exited()) throw new Error(`radsecproxy is not listening on ${udpPort}:\n${running.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const radclient = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn('radclient', ['-x', '-r', '8', '-t', '3', `127.0.0.1:${udpPort}`, 'auth', 'proxy-secret-1'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('close', (code) => resolve({ code, output }));
      child.on('error', (error) => resolve({ code: null, output: `${output}radclient: ${error.message} (Debian package freeradius-utils)` }));
      child.stdin.end('User-Name = ivan, User-Password = pw, Message-Authenticator = 0x00\n');
    });
    expect(radclient.code, `${radclient.output}\n${running.output()}`).toBe(0);
    expect(radclient.output).toContain('Received Access-Accept');
    expect(radclient.output).toContain('via radsecproxy');
    expect((await answering).transport).toBe('radsec');
    expect(worker.jobs.length).toBe(jobs + 1);
  }, 90_000);
});
