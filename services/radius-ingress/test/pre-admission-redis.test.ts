// "Nothing reaches Redis before the packet is verified" (issue 4, PROTOCOL-CASES preamble): every drop
// decided at the door leaves the Redis command statistics untouched, measured on a real redis-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { Attr, Code, buildRequest } from '@radius-mfa/radius-protocol';
import { SECRET, TestNas, accessRequest, expectSilence, startTestIngress, statusServer, testConfig, verifyReply, type TestIngress } from './harness.js';
import { FRONT_DOOR_DROP_CASES } from './drop-cases.js';

const WIDE_SECRET = 'wide-secret-123';
const TIGHT_SECRET = 'tight-secret-12';

let redis: RedisHandle;
let commands: Redis;
let ingress: TestIngress;
let nas: TestNas;

/** Calls per Redis command since the server started (INFO commandstats), our own INFO left out. */
async function commandCalls(): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const [, name, count] of (await commands.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (name !== 'info') calls.set(name!, Number(count));
  }
  return calls;
}

/** The commands Redis ran since `before`, by name. */
async function commandsSince(before: Map<string, number>): Promise<Record<string, number>> {
  const ran: Record<string, number> = {};
  for (const [name, count] of await commandCalls()) {
    if (count > (before.get(name) ?? 0)) ran[name] = count - (before.get(name) ?? 0);
  }
  return ran;
}

const drops = (reason: string): Promise<number> => ingress.counter('radius_packets_dropped_total', { reason });

/**
 * A Status-Server from the NAS, answered only after a PING on the ingress's admission connection:
 * anything the ingress sent Redis before it has run by the time its answer arrives.
 */
async function barrier(port = ingress.authPort): Promise<void> {
  const probe = statusServer(250);
  nas.send(probe, port);
  verifyReply(await nas.receive(), probe);
}

beforeAll(async () => {
  redis = await startRedis();
  commands = new Redis(redis.url);
  ingress = await startTestIngress(
    testConfig(redis, redis.prefix(), {
      clients: [
        { name: 'nas', address: '127.0.0.1', secret: SECRET, timeoutSeconds: 60 },
        { name: 'tight', address: '127.0.0.7', secret: TIGHT_SECRET, rateLimit: { perSecond: 1, burst: 1 } },
        { name: 'wide', address: '127.0.0.0/24', secret: WIDE_SECRET, requireMessageAuthenticator: false },
      ],
    }),
    { drainTimeoutMs: 500 },
  );
  nas = await TestNas.open();
  // Connections the ingress opens lazily have done their handshakes before anything is measured.
  await barrier();
  await barrier(ingress.accountingPort);
});

afterAll(async () => {
  await nas?.close();
  await ingress?.stop();
  commands?.disconnect();
  await redis?.stop();
});

describe('drops decided at the door send nothing to Redis', () => {
  const cases = [
    ...FRONT_DOOR_DROP_CASES,
    {
      rule: '33 Status-Server without Message-Authenticator',
      reason: 'missing_message_authenticator',
      packet: () => {
        // The encoder always signs a Status-Server: write the code over a bare request.
        const probe = accessRequest({ messageAuthenticator: false, attributes: [] });
        probe[0] = Code.StatusServer;
        return probe;
      },
    },
    {
      rule: '36 Accounting-Request with a wrong Request Authenticator',
      reason: 'bad_request_authenticator',
      packet: () => buildRequest({ code: Code.AccountingRequest, identifier: 4, attributes: [], secret: Buffer.from('not-the-secret'), messageAuthenticator: false }),
      port: 'accounting' as const,
    },
  ];

  for (const { rule, reason, packet, port } of cases) {
    it(`PROTOCOL-CASES ${rule}: dropped as ${reason}, no Redis command`, async () => {
      const before = await commandCalls();
      const dropped = await drops(reason);
      // expectSilence's probe is the barrier: its PING is the one command expected.
      await expectSilence(nas, packet(), port === 'accounting' ? ingress.accountingPort : ingress.authPort);
      expect(await drops(reason)).toBe(dropped + 1);
      expect(await commandsSince(before)).toEqual({ ping: 1 });
    });
  }

  const fromOtherSources: { rule: string; reason: string; source: string; packet: () => Buffer }[] = [
    { rule: '6 source of no configured client', reason: 'unknown_client', source: '127.0.1.1', packet: () => accessRequest() },
    {
      rule: '12 Proxy-State without Message-Authenticator',
      reason: 'proxy_state_without_message_authenticator',
      source: '127.0.0.3',
      packet: () => accessRequest({ secret: WIDE_SECRET, messageAuthenticator: false, user: 'w', password: 'p', attributes: [{ type: Attr.ProxyState, value: Buffer.from('xx') }] }),
    },
    {
      rule: '14 EAP-Message without Message-Authenticator',
      reason: 'eap_without_message_authenticator',
      source: '127.0.0.3',
      packet: () => accessRequest({ secret: WIDE_SECRET, messageAuthenticator: false, user: 'w', password: 'p', attributes: [{ type: Attr.EAPMessage, value: Buffer.from('xx') }] }),
    },
  ];

  for (const { rule, reason, source, packet } of fromOtherSources) {
    it(`PROTOCOL-CASES ${rule}: dropped as ${reason}, no Redis command`, async () => {
      const sender = await TestNas.open(source);
      try {
        const before = await commandCalls();
        const dropped = await drops(reason);
        sender.send(packet(), ingress.authPort);
        await expect.poll(() => drops(reason)).toBe(dropped + 1);
        await barrier();
        expect(sender.unread).toBe(0);
        expect(await commandsSince(before)).toEqual({ ping: 1 });
      } finally {
        await sender.close();
      }
    });
  }

  it('PROTOCOL-CASES 42: verified requests over rateLimit, no Redis command', async () => {
    const tight = await TestNas.open('127.0.0.7');
    try {
      const answered = (): Promise<number> => ingress.counter('radius_responses_sent_total', { client: 'tight' });
      const limited = await drops('rate_limited');
      const answeredBefore = await answered();
      const before = await commandCalls();
      for (let i = 0; i < 5; i++) tight.send(statusServer(i, TIGHT_SECRET), ingress.authPort);
      await expect.poll(async () => (await drops('rate_limited')) - limited + (await answered()) - answeredBefore).toBe(5);
      expect(await drops('rate_limited')).toBeGreaterThan(limited);
      await barrier();
      // Each Status-Server answered costs its PING (RFC 5997: only while Redis answers); the limited ones nothing.
      expect(await commandsSince(before)).toEqual({ ping: 1 + (await answered()) - answeredBefore });
    } finally {
      await tight.close();
    }
  });

  it('PROTOCOL-CASES 42: forged packets over the unverified bound, no Redis command', async () => {
    const tight = await TestNas.open('127.0.0.7');
    try {
      // 'tight' (1/s, burst 1) may send 10 packets before verification at once: 30 forged ones overflow it.
      const before = await commandCalls();
      const unverified = await drops('unverified_rate_limited');
      const forged = await drops('bad_message_authenticator');
      for (let i = 0; i < 30; i++) tight.send(accessRequest({ secret: 'not-the-secret' }), ingress.authPort);
      await expect.poll(async () => (await drops('unverified_rate_limited')) + (await drops('bad_message_authenticator'))).toBe(unverified + forged + 30);
      expect(await drops('unverified_rate_limited')).toBeGreaterThan(unverified);
      await barrier();
      expect(await commandsSince(before)).toEqual({ ping: 1 });
    } finally {
      await tight.close();
    }
  });

  it('sees an admission: the measure is not blind', async () => {
    const before = await commandCalls();
    nas.send(accessRequest(), ingress.authPort);
    await expect.poll(() => ingress.counter('radius_pending_transactions')).toBe(1);
    await barrier();
    const ran = await commandsSince(before);
    expect(Object.keys(ran).filter((name) => name !== 'ping').length).toBeGreaterThan(0);
  });
});
