// Policy branches through the whole worker: bypass by user, group and Calling-Station-Id,
// requireGroups, unenrolled reject/allow/enroll (with a grace period), SMS and voice codes.
import { afterAll, describe, expect, it } from 'vitest';
import { createEnrollmentLinks } from '@radius-mfa/mfa';
import { Attr, Code } from '@radius-mfa/radius-protocol';
import { cheapArgon2Hash, clientFactory, startFakePhone, tokenOf, useWorkerSuite, type AuthAttempt, type FakePhone } from './harness.js';

const PASSWORD = 'policy-pw';
const DAY_MS = 86_400_000;

describe('policy flows', () => {
  let gateway: FakePhone;
  const suite = useWorkerSuite({
    sections: async () => {
      gateway = await startFakePhone();
      const passwordHash = await cheapArgon2Hash(PASSWORD);
      const local = (name: string, groups: string[] = []) => ({ name, passwordHash, groups });
      const client = clientFactory({ firstFactor: 'local', prompt: 'challenge', methods: ['totp'] });
      return {
        clients: [
          client('bypass', {
            bypass: { users: ['SVC-Backup'], groups: ['NoMFA'], callingStationIds: ['10.1.0.0/16', 'AA-BB-CC-DD-EE-FF'] },
            attributes: [{ name: 'Class', value: 'bypassed' }],
          }),
          client('required', { requireGroups: ['VPN'], unenrolled: 'allow' }),
          client('allow', { unenrolled: 'allow', groupAttributes: { vpn: [{ name: 'Filter-Id', value: 'vpn-acl' }] } }),
          client('enroll', { unenrolled: 'enroll' }),
          client('grace', { unenrolled: 'enroll', enrollGraceDays: 7 }),
          client('sms', { methods: ['sms'] }),
          client('voice', { methods: ['voice'], prompt: 'append' }),
        ],
        directories: {
          local: { users: [local('svc-backup'), local('noah', ['NoMFA']), local('walt'), local('vera', ['VPN']), local('olga'), local('gus'), local('sam'), local('uma')] },
        },
        mfa: { sms: { sender: { type: 'webhook', url: gateway.url }, codeLength: 6 }, voice: { sender: { type: 'webhook', url: gateway.url } } },
      };
    },
  });
  afterAll(async () => {
    await gateway?.close();
  });
  const authenticate = (attempt: AuthAttempt) => suite.ingress.authenticate(attempt);

  it('bypass by user (after normalisation), by group, by Calling-Station-Id CIDR and MAC: Accept with attributes, audited', async () => {
    const byUser = await authenticate({ user: 'CORP\\svc-backup', password: PASSWORD, clientName: 'bypass' });
    expect(byUser.code).toBe(Code.AccessAccept);
    expect(byUser.attribute(Attr.Class).map(String)).toEqual(['bypassed']);
    expect((await authenticate({ user: 'noah', password: PASSWORD, clientName: 'bypass' })).code).toBe(Code.AccessAccept);
    expect((await authenticate({ user: 'walt', password: PASSWORD, clientName: 'bypass', callingStationId: '10.1.200.3' })).code).toBe(Code.AccessAccept);
    expect((await authenticate({ user: 'walt', password: PASSWORD, clientName: 'bypass', callingStationId: 'aa:bb:cc:dd:ee:ff' })).code).toBe(Code.AccessAccept);
    // Outside every rule: walt is not enrolled and the client rejects the unenrolled.
    expect((await authenticate({ user: 'walt', password: PASSWORD, clientName: 'bypass', callingStationId: '10.2.0.1' })).code).toBe(Code.AccessReject);
    // A bypass never skips the first factor.
    expect((await authenticate({ user: 'noah', password: 'wrong', clientName: 'bypass' })).code).toBe(Code.AccessReject);
    expect(await suite.auditReasons()).toEqual(expect.arrayContaining(['bypass-user', 'bypass-group', 'bypass-calling-station', 'unenrolled']));
  });

  it('requireGroups: a user in none of them is rejected, a member passes', async () => {
    expect((await authenticate({ user: 'olga', password: PASSWORD, clientName: 'required' })).code).toBe(Code.AccessReject);
    expect((await authenticate({ user: 'vera', password: PASSWORD, clientName: 'required' })).code).toBe(Code.AccessAccept);
  });

  it('unenrolled allow: Accept after the first factor with group attributes', async () => {
    const result = await authenticate({ user: 'vera', password: PASSWORD, clientName: 'allow' });
    expect(result.code).toBe(Code.AccessAccept);
    expect(result.attribute(Attr.FilterId).map(String)).toEqual(['vpn-acl']);
    expect(await suite.auditReasons()).toContain('unenrolled-allow');
  });

  it('unenrolled enroll: Reject with a single-use enrollment link for this user', async () => {
    const result = await authenticate({ user: 'olga', password: PASSWORD, clientName: 'enroll' });
    expect(result.code).toBe(Code.AccessReject);
    const match = /^Enroll a second factor first: (https:\/\/mfa\.example\.test\/v1\/enroll\/\S+)$/.exec(result.replyMessage);
    expect(match).not.toBeNull();
    const link = await createEnrollmentLinks(suite.commands, suite.ingress.keys).get(tokenOf(match![1]!));
    expect(link).toMatchObject({ user: 'olga', methods: ['totp'], totpIssued: false });
    // No link for a wrong password.
    const wrong = await authenticate({ user: 'olga', password: 'wrong', clientName: 'enroll' });
    expect(wrong.replyMessage).not.toMatch(/enroll/);
  });

  it('unenrolled enroll: each attempt sends the same still-valid 15-minute link (one link per user, not one per attempt)', async () => {
    const linkOf = (message: string): string => /(https:\/\/\S+)$/.exec(message)![1]!;
    const first = await authenticate({ user: 'uma', password: PASSWORD, clientName: 'enroll' });
    const url = linkOf(first.replyMessage);
    const links = createEnrollmentLinks(suite.commands, suite.ingress.keys);
    const link = await links.get(tokenOf(url));
    expect(link?.user).toBe('uma');
    // 15 minutes, not an hour: the link is in the Reply-Message, which NAS logs may keep.
    expect(link!.expiresAt - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect(link!.expiresAt - Date.now()).toBeGreaterThan(10 * 60_000);
    for (let i = 0; i < 3; i++) {
      expect(linkOf((await authenticate({ user: 'uma', password: PASSWORD, clientName: 'enroll' })).replyMessage)).toBe(url);
    }
    const enrollKeys = await suite.commands.keys(`${suite.ingress.keys.prefix}:enroll:*`);
    const umaLinks = (await Promise.all(enrollKeys.map((key) => suite.commands.hget(key, 'user')))).filter((user) => user === 'uma');
    expect(umaLinks).toHaveLength(1);
    // The token is not in Redis in the clear.
    expect(await suite.commands.get(suite.ingress.keys.signInEnrollmentLink('uma'))).not.toContain(tokenOf(url));
    // Once used (or expired), the next attempt gets a new link.
    expect(await links.consume(tokenOf(url))).toBe(true);
    const next = linkOf((await authenticate({ user: 'uma', password: PASSWORD, clientName: 'enroll' })).replyMessage);
    expect(next).not.toBe(url);
    expect((await links.get(tokenOf(next)))?.user).toBe('uma');
  });

  it('unenrolled enroll with a grace period: Accept with a reminder while it runs, Reject once it is over', async () => {
    const first = await authenticate({ user: 'gus', password: PASSWORD, clientName: 'grace' });
    expect(first.code).toBe(Code.AccessAccept);
    expect(first.replyMessage).toMatch(/^Enroll a second factor within 7 days: https:\/\/mfa\.example\.test\/v1\/enroll\/\S+$/);
    // The grace began 8 days ago.
    await suite.commands.hset(suite.ingress.keys.user('gus'), 'enrollGraceStartedAt', String(Date.now() - 8 * DAY_MS));
    const later = await authenticate({ user: 'gus', password: PASSWORD, clientName: 'grace' });
    expect(later.code).toBe(Code.AccessReject);
    expect(later.replyMessage).toMatch(/^Enroll a second factor first/);
  });

  it('sms: the code goes to the gateway, never in the Reply-Message; typing it is accepted', async () => {
    await suite.users.setPhone('sam', '+15550100');
    const seen = gateway.pushes.length;
    const first = await authenticate({ user: 'sam', password: PASSWORD, clientName: 'sms' });
    expect(first.code).toBe(Code.AccessChallenge);
    expect(first.replyMessage).toBe('Enter the code we sent to your phone');
    const text = await gateway.nextPush(seen);
    expect(text['phone']).toBe('+15550100');
    const code = text['code']!;
    expect(code).toMatch(/^\d{6}$/);
    const done = await authenticate({ user: 'sam', password: code, state: first.state!, clientName: 'sms' });
    expect(done.code).toBe(Code.AccessAccept);
  });

  it('voice (webhook): `password,call` places a call that reads the code; typing it is accepted', async () => {
    await suite.users.setPhone('sam', '+15550100');
    const seen = gateway.pushes.length;
    const first = await authenticate({ user: 'sam', password: `${PASSWORD},call`, clientName: 'voice' });
    expect(first.code).toBe(Code.AccessChallenge);
    expect(first.replyMessage).toBe('Answer the call and enter the code you hear');
    const call = await gateway.nextPush(seen);
    expect(call['channel']).toBe('voice');
    const wrong = await authenticate({ user: 'sam', password: '000000' === call['code'] ? '111111' : '000000', state: first.state!, clientName: 'voice' });
    expect(wrong.code).toBe(Code.AccessChallenge);
    const done = await authenticate({ user: 'sam', password: call['code']!, state: wrong.state!, clientName: 'voice' });
    expect(done.code).toBe(Code.AccessAccept);
  });
});
