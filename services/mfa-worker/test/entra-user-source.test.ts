// Entra as a client's user source, through the worker against the Entra stand-in: group rules by
// object id, the Graph mobile for SMS after the menu, the ACS approval call with prompt challenge
// (one call per transaction), and a misconfigured app that fails closed whatever the failMode.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEntraStandin, type EntraStandin } from '@radius-mfa/testing';
import { createChallengeStore } from '@radius-mfa/mfa';
import { Attr, Code } from '@radius-mfa/radius-protocol';
import { clientFactory, enrolTotp, useWorkerSuite } from './harness.js';

const VPN_GROUP = randomUUID();
const ADMINS_GROUP = randomUUID();
const CALLBACK_KEY = 'a-callback-signing-key-of-32-characters';
const dir = mkdtempSync(join(tmpdir(), 'rmfa-worker-entra-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The stand-in, an app with `permissions`, and the directories/mfa sections pointing at it (CA pinned by file). */
async function entraSections(permissions: string[]): Promise<{ standin: EntraStandin; sections: Record<string, unknown> }> {
  const standin = await startEntraStandin();
  const caFile = join(dir, `ca-${randomUUID()}.pem`);
  writeFileSync(caFile, standin.caPem);
  const clientId = randomUUID();
  const clientSecret = `secret-${randomUUID()}`;
  standin.addApp({ clientId, secret: clientSecret, graphPermissions: permissions, acsAccess: true });
  return {
    standin,
    sections: {
      // Call Automation's callbacks go nowhere here: results-api is not part of this suite.
      api: { listen: 'http://127.0.0.1:8080', publicUrl: 'http://127.0.0.1:9' },
      directories: {
        entra: { tenantId: standin.tenantId, clientId, clientSecret, authorityHost: standin.authorityHost, graphEndpoint: standin.graphEndpoint, acsEndpoint: standin.acsEndpoint, caCertificates: caFile },
      },
      mfa: {
        sms: { sender: { type: 'acs', from: '+18005550199' } },
        voice: { sender: { type: 'acs', from: '+18005550100', callbackSecret: CALLBACK_KEY, promptUrl: 'https://cdn.example.test/press-pound.wav' } },
      },
    },
  };
}

describe('userSource entra: groups, phones and approval calls from Entra', () => {
  let standin: EntraStandin;
  const suite = useWorkerSuite({
    sections: async () => {
      const entra = await entraSections(['User.Read.All', 'GroupMember.Read.All', 'UserAuthenticationMethod.Read.All']);
      standin = entra.standin;
      const add = (name: string, groups: string[], mobile?: string): void =>
        standin.addUser({ id: randomUUID(), userPrincipalName: name, accountEnabled: true, groups, ...(mobile && { phones: [{ phoneType: 'mobile' as const, phoneNumber: mobile }] }) });
      add('gina@contoso.example', [VPN_GROUP, ADMINS_GROUP]);
      add('hal@contoso.example', []);
      add('ivy@contoso.example', [VPN_GROUP], '+44 20 7946 0011');
      add('jon@contoso.example', [VPN_GROUP], '+44 20 7946 0022');
      add('kai@contoso.example', [VPN_GROUP], '+44 20 7946 0033');
      add('lou@contoso.example', [VPN_GROUP], '+44 20 7946 0044');
      const client = clientFactory({ firstFactor: 'none', userSource: 'entra', requireGroups: [VPN_GROUP] });
      return {
        ...entra.sections,
        clients: [
          client('rdg-groups', { prompt: 'challenge', methods: ['totp'], unenrolled: 'allow', groupAttributes: { [ADMINS_GROUP]: [{ name: 'Filter-Id', value: 'admins' }] } }),
          client('vpn-menu', { prompt: 'challenge', methods: ['totp', 'sms'] }),
          client('vpn-call', { prompt: 'challenge', methods: ['voice'] }),
        ],
      };
    },
  });
  afterAll(async () => {
    await standin?.close();
  });

  it('requireGroups and groupAttributes take Entra group object ids', async () => {
    const admin = await suite.ingress.authenticate({ user: 'gina@contoso.example', clientName: 'rdg-groups' });
    expect(admin.code).toBe(Code.AccessAccept);
    expect(admin.attribute(Attr.FilterId).map(String)).toEqual(['admins']);
    expect((await suite.ingress.authenticate({ user: 'hal@contoso.example', clientName: 'rdg-groups' })).code).toBe(Code.AccessReject);
    expect(await suite.auditReasons()).toContain('not-in-required-group');
    expect((await suite.ingress.authenticate({ user: 'nobody@contoso.example', clientName: 'rdg-groups' })).code).toBe(Code.AccessReject);
    expect(await suite.auditReasons()).toContain('entra-user-unknown');
  });

  it('the menu offers a text to the Entra mobile; chosen, the code goes there (looked up again after the State)', async () => {
    await enrolTotp(suite.users, 'ivy@contoso.example');
    const menu = await suite.ingress.authenticate({ user: 'ivy@contoso.example', clientName: 'vpn-menu' });
    expect(menu.code).toBe(Code.AccessChallenge);
    expect(menu.replyMessage).toContain('2 text message');
    const sent = standin.smsOutbox.length;
    const sms = await suite.ingress.authenticate({ user: 'ivy@contoso.example', clientName: 'vpn-menu', password: '2', state: menu.state! });
    expect(sms.code).toBe(Code.AccessChallenge);
    expect(standin.smsOutbox[sent]).toMatchObject({ to: '+442079460011', from: '+18005550199' });
    const code = /\d{6}/.exec(standin.smsOutbox[sent]!.message)![0];
    expect((await suite.ingress.authenticate({ user: 'ivy@contoso.example', clientName: 'vpn-menu', password: code, state: sms.state! })).code).toBe(Code.AccessAccept);
  });

  it('prompt challenge: one approval call to the Entra mobile, still waiting until decided, then Accept', async () => {
    const challenges = createChallengeStore({ redis: suite.commands, keys: suite.ingress.keys });
    // Two jobs of one transaction (a retried or duplicated job): the person is rung once.
    const first = await suite.ingress.authenticate({ user: 'jon@contoso.example', clientName: 'vpn-call', copies: 2 });
    expect(first.code).toBe(Code.AccessChallenge);
    expect(first.replyMessage).toContain('press #');
    expect([...standin.calls.values()].filter((call) => call.to === '+442079460022')).toHaveLength(1);
    const challengeId = await challenges.challengeIdForTxn(first.txn);
    expect(await challenges.getChallenge(challengeId!)).toMatchObject({ method: 'voice', status: 'pending', user: 'jon@contoso.example' });

    const waiting = await suite.ingress.authenticate({ user: 'jon@contoso.example', clientName: 'vpn-call', password: '', state: first.state! });
    expect(waiting.code).toBe(Code.AccessChallenge);
    expect(waiting.replyMessage).toContain('Still waiting');
    // What results-api does when the signed callback says # was pressed.
    await challenges.decideChallengeById(challengeId!, { approve: true });
    expect((await suite.ingress.authenticate({ user: 'jon@contoso.example', clientName: 'vpn-call', password: '', state: waiting.state! })).code).toBe(Code.AccessAccept);
  });

  it('a call answered with another key rejects at the next round', async () => {
    const challenges = createChallengeStore({ redis: suite.commands, keys: suite.ingress.keys });
    const first = await suite.ingress.authenticate({ user: 'kai@contoso.example', clientName: 'vpn-call' });
    await challenges.decideChallengeById((await challenges.challengeIdForTxn(first.txn))!, { approve: false });
    const denied = await suite.ingress.authenticate({ user: 'kai@contoso.example', clientName: 'vpn-call', password: '', state: first.state! });
    expect(denied.code).toBe(Code.AccessReject);
    expect(denied.replyMessage).toContain('not approved');
  });

  it('rings a person at most three times a minute (the push budget): then Reject without a call', async () => {
    for (let i = 0; i < 3; i++) expect((await suite.ingress.authenticate({ user: 'lou@contoso.example', clientName: 'vpn-call' })).code).toBe(Code.AccessChallenge);
    const limited = await suite.ingress.authenticate({ user: 'lou@contoso.example', clientName: 'vpn-call' });
    expect(limited.code).toBe(Code.AccessReject);
    expect(limited.replyMessage).toContain('too many calls');
    expect([...standin.calls.values()].filter((call) => call.to === '+442079460044')).toHaveLength(3);
  });
});

describe('userSource entra with a misconfigured app', () => {
  let standin: EntraStandin;
  const suite = useWorkerSuite({
    sections: async () => {
      // No GroupMember.Read.All: Graph answers 403, a configuration mistake, not an outage.
      const entra = await entraSections(['User.Read.All']);
      standin = entra.standin;
      standin.addUser({ id: randomUUID(), userPrincipalName: 'lea@contoso.example', accountEnabled: true, groups: [VPN_GROUP] });
      return { ...entra.sections, clients: [clientFactory({})('rdg-open', { firstFactor: 'none', userSource: 'entra', failMode: 'open', unenrolled: 'allow', bypass: { groups: [VPN_GROUP] } })] };
    },
  });
  afterAll(async () => {
    await standin?.close();
  });

  it('rejects even with failMode open: a missing permission never opens the door', async () => {
    expect((await suite.ingress.authenticate({ user: 'lea@contoso.example' })).code).toBe(Code.AccessReject);
    expect(await suite.auditReasons()).toEqual(['entra-misconfigured']);
    expect(await suite.auditOutcomes()).toEqual(['reject']);
  });

  it('and accepts, audited fail-open, when Graph is down instead', async () => {
    standin.graphDown = true;
    try {
      expect((await suite.ingress.authenticate({ user: 'max@contoso.example' })).code).toBe(Code.AccessAccept);
      expect((await suite.auditOutcomes()).at(-1)).toBe('fail-open');
    } finally {
      standin.graphDown = false;
    }
  });
});
