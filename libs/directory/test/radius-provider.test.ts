import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Attr,
  MicrosoftAttr,
  Vendor,
  chapPasswordValue,
  decryptMppeKey,
  generateAuthenticatorResponse,
  generateNtResponse,
  mppeServerKeys,
  msChap2SuccessValue,
  ntPasswordHash,
  parseVendorSpecific,
  vendorAttribute,
} from '@radius-mfa/radius-protocol';
import { DirectoryError, RadiusProvider, parseUpstreamServer, type RadiusDirectoryOptions, type RawAttribute } from '@radius-mfa/directory';
import { freeUdpPort, startFreeRadius, type FreeRadius } from '@radius-mfa/testing';

const UPSTREAM_SECRET = 'upstream-secret';
const signal = (): AbortSignal => AbortSignal.timeout(25_000);
const users = { alice: 'alice-pw', bob: 'bob-pw' };

describe('RadiusProvider against a real FreeRADIUS', () => {
  let freeradius: FreeRadius;
  const providers: RadiusProvider[] = [];

  function provider(overrides: Partial<RadiusDirectoryOptions> = {}): RadiusProvider {
    // Debian's FreeRADIUS 3.2.1 predates BlastRADIUS (3.2.5) and sends no Message-Authenticator back.
    const created = new RadiusProvider({ servers: [freeradius.server], secret: UPSTREAM_SECRET, timeoutSeconds: 2, retries: 1, requireMessageAuthenticator: false, ...overrides });
    providers.push(created);
    return created;
  }

  beforeAll(async () => {
    freeradius = await startFreeRadius({ secret: UPSTREAM_SECRET, users });
  });

  afterAll(async () => {
    await Promise.all(providers.map((created) => created.close()));
    await freeradius?.stop();
  });

  it('accepts PAP with the right password, re-hidden under the upstream secret', async () => {
    const result = await provider().authenticate({ user: 'alice', password: Buffer.from('alice-pw') }, { signal: signal() });
    expect(result).toEqual({ outcome: 'accept', groups: [], replyAttributes: [] });
  });

  it('rejects PAP with a wrong password', async () => {
    const result = await provider().authenticate({ user: 'alice', password: Buffer.from('bob-pw') }, { signal: signal() });
    expect(result.outcome).toBe('reject');
  });

  it('rejects an unknown user', async () => {
    const result = await provider().authenticate({ user: 'mallory', password: Buffer.from('x') }, { signal: signal() });
    expect(result.outcome).toBe('reject');
  });

  it('is unavailable, not a reject, when the upstream secret is wrong (its replies do not verify)', async () => {
    const result = await provider({ secret: 'not-the-secret', timeoutSeconds: 1, retries: 0 }).authenticate(
      { user: 'alice', password: Buffer.from('alice-pw') },
      { signal: signal() },
    );
    expect(result.outcome).toBe('unavailable');
  });

  it('passes CHAP through with the NAS challenge', async () => {
    const challenge = randomBytes(16);
    const chap = chapPasswordValue(7, Buffer.from('bob-pw'), challenge);
    const request = { user: 'bob', chap: { id: 7, response: chap.subarray(1), challenge } };
    expect(await provider().authenticate(request, { signal: signal() })).toEqual({ outcome: 'accept', groups: [], replyAttributes: [] });
    const wrong = chapPasswordValue(7, Buffer.from('alice-pw'), challenge);
    const rejected = await provider().authenticate({ ...request, chap: { ...request.chap, response: wrong.subarray(1) } }, { signal: signal() });
    expect(rejected.outcome).toBe('reject');
  });

  it('sends the User-Name as received from the NAS unless told to send the normalised one', async () => {
    // FreeRADIUS knows "alice", not "CONTOSO\\Alice": the name sent decides the outcome.
    const requestAttributes = [{ type: Attr.UserName, value: Buffer.from('CONTOSO\\Alice') }];
    const request = { user: 'alice', password: Buffer.from('alice-pw'), requestAttributes };
    expect((await provider().authenticate(request, { signal: signal() })).outcome).toBe('reject');
    expect((await provider({ userName: 'normalized' }).authenticate(request, { signal: signal() })).outcome).toBe('accept');
  });

  /** The Microsoft sub-attribute `type` of a reply, or undefined. */
  function microsoft(replyAttributes: readonly RawAttribute[], type: number): Buffer | undefined {
    for (const attribute of replyAttributes) {
      const vendorSpecific = attribute.type === Attr.VendorSpecific ? parseVendorSpecific(attribute.value) : undefined;
      const sub = vendorSpecific?.vendorId === Vendor.Microsoft ? vendorSpecific.attributes.find((candidate) => candidate.type === type) : undefined;
      if (sub) return sub.value;
    }
    return undefined;
  }

  function msChapV2Login(userName: string, password: string) {
    const authenticatorChallenge = randomBytes(16);
    const peerChallenge = randomBytes(16);
    const userNameRaw = Buffer.from(userName);
    const ntHash = ntPasswordHash(password);
    const ntResponse = generateNtResponse(authenticatorChallenge, peerChallenge, userNameRaw, ntHash);
    return { ntHash, mschapv2: { peerChallenge, ntResponse, authenticatorChallenge, ident: 17, userNameRaw } };
  }

  it('passes MS-CHAPv2 through: MS-CHAP2-Success as is, MPPE keys re-encrypted for the NAS', async () => {
    const { ntHash, mschapv2 } = msChapV2Login('alice', 'alice-pw');
    const downstream = { secret: Buffer.from('nas-secret'), requestAuthenticator: randomBytes(16) };
    const result = await provider().authenticate({ user: 'alice', mschapv2 }, { signal: signal(), downstream });
    expect(result.outcome).toBe('accept');
    if (result.outcome !== 'accept') return;
    // The Authenticator Response proves the upstream knew the password (RFC 2759 §8.7).
    const expectedSuccess = msChap2SuccessValue(
      mschapv2.ident,
      generateAuthenticatorResponse(ntHash, mschapv2.ntResponse, mschapv2.peerChallenge, mschapv2.authenticatorChallenge, mschapv2.userNameRaw),
    );
    expect(microsoft(result.replyAttributes, MicrosoftAttr.MSCHAP2Success)).toEqual(expectedSuccess);
    // The keys decrypt under the NAS's secret and authenticator to the RFC 3079 keys of this login.
    const { sendKey, recvKey } = mppeServerKeys(ntHash, mschapv2.ntResponse);
    const send = microsoft(result.replyAttributes, MicrosoftAttr.MSMPPESendKey)!;
    const recv = microsoft(result.replyAttributes, MicrosoftAttr.MSMPPERecvKey)!;
    expect(decryptMppeKey(send, downstream.secret, downstream.requestAuthenticator)).toEqual(sendKey);
    expect(decryptMppeKey(recv, downstream.secret, downstream.requestAuthenticator)).toEqual(recvKey);
    // ...and not under the upstream secret any more; each key has its own salt (RFC 2548 §2.4.2).
    const underUpstreamSecret = ((): Buffer | undefined => {
      try {
        return decryptMppeKey(send, Buffer.from(UPSTREAM_SECRET), downstream.requestAuthenticator);
      } catch {
        return undefined;
      }
    })();
    expect(underUpstreamSecret).not.toEqual(sendKey);
    expect(send.subarray(0, 2).equals(recv.subarray(0, 2))).toBe(false);
  });

  it('reads MS-CHAPv2 from the NAS attributes when the caller passed only those', async () => {
    const { ntHash, mschapv2 } = msChapV2Login('bob', 'bob-pw');
    const requestAttributes = [
      { type: Attr.UserName, value: mschapv2.userNameRaw },
      vendorAttribute(Vendor.Microsoft, MicrosoftAttr.MSCHAPChallenge, mschapv2.authenticatorChallenge),
      vendorAttribute(
        Vendor.Microsoft,
        MicrosoftAttr.MSCHAP2Response,
        Buffer.concat([Buffer.from([mschapv2.ident, 0]), mschapv2.peerChallenge, Buffer.alloc(8), mschapv2.ntResponse]),
      ),
    ];
    const downstream = { secret: Buffer.from('nas-secret'), requestAuthenticator: randomBytes(16) };
    const result = await provider().authenticate({ user: 'bob', requestAttributes }, { signal: signal(), downstream });
    expect(result.outcome).toBe('accept');
    if (result.outcome !== 'accept') return;
    const { recvKey } = mppeServerKeys(ntHash, mschapv2.ntResponse);
    expect(decryptMppeKey(microsoft(result.replyAttributes, MicrosoftAttr.MSMPPERecvKey)!, downstream.secret, downstream.requestAuthenticator)).toEqual(recvKey);
  });

  it('rejects MS-CHAPv2 with a wrong password, and returns no keys without a downstream to encrypt them for', async () => {
    const wrong = msChapV2Login('alice', 'bob-pw');
    expect((await provider().authenticate({ user: 'alice', mschapv2: wrong.mschapv2 }, { signal: signal() })).outcome).toBe('reject');
    const right = msChapV2Login('bob', 'bob-pw');
    const result = await provider().authenticate({ user: 'bob', mschapv2: right.mschapv2 }, { signal: signal() });
    expect(result.outcome).toBe('accept');
    if (result.outcome !== 'accept') return;
    expect(microsoft(result.replyAttributes, MicrosoftAttr.MSCHAP2Success)).toBeDefined();
    expect(microsoft(result.replyAttributes, MicrosoftAttr.MSMPPESendKey)).toBeUndefined();
  });

  it('keeps many concurrent logins apart', async () => {
    const radius = provider();
    const logins = Array.from({ length: 40 }, (_, i) => ({ user: i % 2 === 0 ? 'alice' : 'bob', right: i % 3 !== 0 }));
    const results = await Promise.all(
      logins.map((login) =>
        radius.authenticate(
          { user: login.user, password: Buffer.from(login.right ? users[login.user as keyof typeof users] : 'wrong') },
          { signal: signal() },
        ),
      ),
    );
    expect(results.map((result) => result.outcome)).toEqual(logins.map((login) => (login.right ? 'accept' : 'reject')));
  });

  it('fails over from a dead first server to the second', async () => {
    const dead = `udp://127.0.0.1:${await freeUdpPort()}`;
    const failover = provider({ servers: [dead, freeradius.server], timeoutSeconds: 1, retries: 0 });
    const result = await failover.authenticate({ user: 'alice', password: Buffer.from('alice-pw') }, { signal: signal() });
    expect(result.outcome).toBe('accept');
  });
});

describe('RadiusProvider with no server answering', () => {
  it('is unavailable when every server is down, naming each', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const received: Buffer[] = [];
    silent.on('message', (datagram) => received.push(datagram));
    const dead = `udp://127.0.0.1:${await freeUdpPort()}`;
    const quiet = `udp://127.0.0.1:${silent.address().port}`;
    const radius = new RadiusProvider({ servers: [dead, quiet], secret: 's', timeoutSeconds: 1, retries: 1 });
    try {
      const result = await radius.authenticate({ user: 'alice', password: Buffer.from('pw') }, { signal: signal() });
      expect(result.outcome).toBe('unavailable');
      expect(result.outcome === 'unavailable' && result.reason).toContain(dead);
      expect(result.outcome === 'unavailable' && result.reason).toContain(quiet);
      // One transmission and one retransmission of the same packet (RFC 5080 §2.2.1).
      expect(received).toHaveLength(2);
      expect(received[1]!.equals(received[0]!)).toBe(true);
    } finally {
      await radius.close();
      silent.close();
    }
  });

  it('refuses a server that is not a udp://host:port URL', () => {
    expect(() => new RadiusProvider({ servers: ['tcp://127.0.0.1:1812'], secret: 's' })).toThrow(DirectoryError);
    expect(() => new RadiusProvider({ servers: ['udp://127.0.0.1:1812/path'], secret: 's' })).toThrow(/nothing more/);
    expect(() => new RadiusProvider({ servers: [], secret: 's' })).toThrow(DirectoryError);
    expect(parseUpstreamServer('udp://[::1]')).toEqual({ label: 'udp://[::1]', host: '::1', port: 1812 });
  });

  it('is unavailable when a server name does not resolve', async () => {
    const radius = new RadiusProvider({ servers: ['udp://no-such-host.invalid:1812'], secret: 's', timeoutSeconds: 2, retries: 0 });
    const result = await radius.authenticate({ user: 'alice', password: Buffer.from('pw') }, { signal: signal() });
    expect(result.outcome).toBe('unavailable');
    expect(result.outcome === 'unavailable' && result.reason).toContain('cannot resolve no-such-host.invalid');
    await radius.close();
  });
});
