// Which client a RadSec connection speaks for (real TLS, real sockets from 127.0.0.0/8): the
// source address picks the client, and the certificate must carry one of that client's tlsNames.
// A certificate the shared CA signed for something else, or named like a client, speaks for nobody.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, startRedis, type RedisHandle, type TestCertificate, type TestPki } from '@radius-mfa/testing';
import { Code } from '@radius-mfa/radius-protocol';
import { RadsecPeer, accessRequest, startStandInWorker, startTestIngress, statusServer, testConfig, verifyReply, type StandInWorker, type TestIngress } from './harness.js';
import { issueWithDnsNames } from './radsec-certificates.js';

const RADSEC = 'radsec';
/** Source addresses: nas-a, nas-b, nas-c (no tlsNames), vpn (tlsNames [vpn.example]), and one of no client. */
const A = '127.0.0.2';
const B = '127.0.0.3';
const C = '127.0.0.4';
const VPN = '127.0.0.5';
const NOWHERE = '127.0.0.9';

let redis: RedisHandle;
let worker: StandInWorker;
let ingress: TestIngress;
let pki: TestPki;
let port: number;
const certs: Record<string, TestCertificate> = {};

const dropped = (reason: string): Promise<number> => ingress.counter('radius_packets_dropped_total', { reason });
const open = (cert: TestCertificate, localAddress: string): Promise<RadsecPeer> => RadsecPeer.open({ port, ca: pki.ca.cert, cert, localAddress });

/** An Access-Request over the connection is accepted, and its job names `client`. */
async function expectAdmitted(cert: TestCertificate, localAddress: string, client: string): Promise<void> {
  const peer = await open(cert, localAddress);
  const request = accessRequest({ secret: RADSEC, user: 'heidi' });
  peer.send(request);
  expect(verifyReply(await peer.receive(), request, RADSEC).code).toBe(Code.AccessAccept);
  expect(worker.jobs.at(-1)).toMatchObject({ client, transport: 'radsec' });
  peer.socket.end();
}

/** The connection is closed without an answer and counted once under `reason`. */
async function expectRefused(cert: TestCertificate, localAddress: string, reason: string): Promise<void> {
  const before = await dropped(reason);
  // TLS 1.3: the client's handshake completes before the server decides, so the close comes after.
  const peer = await open(cert, localAddress);
  peer.send(statusServer(9, RADSEC));
  // An admitted connection would answer the Status-Server: that fails here at once.
  await expect(peer.receive()).rejects.toThrow(/closed/);
  await expect.poll(() => dropped(reason)).toBe(before + 1);
}

beforeAll(async () => {
  pki = createTestPki();
  certs.a = issueWithDnsNames(pki, 'a', 'a-machine', ['NAS-A.Example.COM']);
  certs.b = pki.issue('NAS-B');
  certs.bLowerCase = pki.issue('nas-b');
  certs.c = pki.issue('nas-c');
  certs.laptop = issueWithDnsNames(pki, 'laptop', 'laptop-17', ['laptop-17.example.com']);
  certs.namedLikeClient = pki.issue('nas-a');
  certs.wildcard = issueWithDnsNames(pki, 'wildcard', 'wildcard', ['*.example.com']);
  certs.cnOnlyVpn = pki.issue('vpn.example');
  certs.sanVpn = issueWithDnsNames(pki, 'san-vpn', 'vpn-box-3', ['vpn.example']);
  certs.sanOtherCnVpn = issueWithDnsNames(pki, 'san-other-cn-vpn', 'vpn.example', ['other.example']);
  redis = await startRedis();
  const prefix = redis.prefix();
  worker = await startStandInWorker(redis, prefix, { autoAnswer: { code: Code.AccessAccept, message: 'identity checked' } });
  ingress = await startTestIngress(
    testConfig(redis, prefix, {
      radius: { listen: ['tls://127.0.0.1:0'], accountingListen: [], tls: { cert: pki.server.certFile, key: pki.server.keyFile, ca: pki.ca.certFile } },
      clients: [
        { name: 'nas-a', address: A, secret: 'udp-secret-unused-a', tlsNames: ['nas-a.example.com'] },
        { name: 'nas-b', address: B, secret: 'udp-secret-unused-b', tlsNames: ['NAS-B'] },
        { name: 'nas-c', address: C, secret: 'udp-secret-unused-c' },
        { name: 'vpn', address: VPN, secret: 'udp-secret-unused-vpn', tlsNames: ['vpn.example'] },
      ],
    }),
    { drainTimeoutMs: 2_000 },
  );
  port = ingress.ingress.addresses.radsec[0]!.port;
}, 120_000);

describe('RadSec client identity: source address, then clients[].tlsNames', () => {
  it("admits a certificate carrying client A's name as a DNS subjectAltName (any case) from A's address", () => expectAdmitted(certs.a!, A, 'nas-a'));

  it("admits a certificate whose subject CN is exactly one of B's tlsNames, from B's address", () => expectAdmitted(certs.b!, B, 'nas-b'));

  it("closes and counts a valid CA-signed certificate with another name from A's address, and logs why", async () => {
    await expectRefused(certs.laptop!, A, 'radsec_identity_mismatch');
    const line = ingress.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.reason === 'radsec_identity_mismatch');
    expect(line).toMatchObject({ source: A, client: 'nas-a', certificate: { commonNames: ['laptop-17'] } });
  });

  it("refuses a certificate whose CN is a client's name but not in its tlsNames, from that client's address and from anywhere", async () => {
    await expectRefused(certs.namedLikeClient!, A, 'radsec_identity_mismatch');
    await expectRefused(certs.namedLikeClient!, NOWHERE, 'unknown_client');
  });

  it("refuses the right certificate from an address of no client, and A's certificate from B's address", async () => {
    await expectRefused(certs.a!, NOWHERE, 'unknown_client');
    await expectRefused(certs.a!, B, 'radsec_identity_mismatch');
  });

  it('matches a CN exactly and does not expand a wildcard subjectAltName', async () => {
    await expectRefused(certs.bLowerCase!, B, 'radsec_identity_mismatch');
    await expectRefused(certs.wildcard!, A, 'radsec_identity_mismatch');
  });

  describe('RFC 6125 §6.4.4: the subject CN counts only on a certificate without a DNS subjectAltName', () => {
    it('refuses and counts a certificate whose CN is a tlsName but whose DNS subjectAltNames are not', async () => {
      await expectRefused(certs.sanOtherCnVpn!, VPN, 'radsec_identity_mismatch');
      const line = ingress.logs.map((l) => JSON.parse(l) as Record<string, unknown>).findLast((l) => l.reason === 'radsec_identity_mismatch' && l.source === VPN);
      expect(line).toMatchObject({ client: 'vpn', certificate: { subjectAltName: 'DNS:other.example', commonNames: ['vpn.example'] } });
    });

    it('admits a certificate without a subjectAltName by its CN', () => expectAdmitted(certs.cnOnlyVpn!, VPN, 'vpn'));

    it('admits a certificate by its DNS subjectAltName whatever its CN', () => expectAdmitted(certs.sanVpn!, VPN, 'vpn'));
  });

  it('closes every connection of a client without tlsNames: it cannot be used over RadSec', async () => {
    await expectRefused(certs.c!, C, 'radsec_identity_mismatch');
  });
});

afterAll(async () => {
  await ingress?.stop();
  await worker?.close();
  await redis?.stop();
  pki?.remove();
});
