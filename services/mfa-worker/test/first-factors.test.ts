// Each first factor against its real server, through the whole worker: LDAP (slapd), upstream
// RADIUS (FreeRADIUS), none (RD Gateway, groups from LDAP) and Entra (the HTTPS stand-in); local
// argon2id runs in the other suites. The directory servers are @radius-mfa/testing's fixtures.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  startEntraStandin,
  startFreeRadius,
  startSlapd,
  SLAPD_SERVICE_DN as SERVICE_DN,
  SLAPD_SERVICE_PASSWORD as SERVICE_PASSWORD,
  SLAPD_SUFFIX as SUFFIX,
  SLAPD_USERS as USERS,
  type EntraStandin,
  type FreeRadius,
  type Slapd,
} from '@radius-mfa/testing';
import type { EntraOptions } from '@radius-mfa/directory';
import { Attr, Code } from '@radius-mfa/radius-protocol';
import { clientFactory, enrolTotp, useWorkerSuite, type AuthAttempt } from './harness.js';

const UPSTREAM_SECRET = 'upstream-secret';

describe('first factors against real servers', () => {
  let slapd: Slapd;
  let freeradius: FreeRadius;
  const suite = useWorkerSuite({
    sections: async () => {
      [slapd, freeradius] = await Promise.all([startSlapd(), startFreeRadius({ secret: UPSTREAM_SECRET, users: { rita: 'rita-pw', ralph: 'ralph-pw' } })]);
      const client = clientFactory({ prompt: 'challenge', methods: ['totp'] });
      return {
        clients: [
          client('ldap-vpn', { firstFactor: 'ldap', groupAttributes: { 'VPN Users': [{ name: 'Filter-Id', value: 'vpn-users' }] } }),
          client('radius-vpn', { firstFactor: 'radius', prompt: 'append' }),
          client('rdg', { firstFactor: 'none', unenrolled: 'reject', bypass: { groups: ['VPN Users'] }, attributes: [{ name: 'Class', value: 'rdg' }] }),
        ],
        directories: {
          ldap: { url: slapd.url, bindDn: SERVICE_DN, bindPassword: SERVICE_PASSWORD, userSearch: { base: `ou=people,${SUFFIX}`, filter: '(uid={user})' } },
          // Debian's FreeRADIUS 3.2.1 answers without Message-Authenticator: the explicit opt-out.
          radius: { servers: [freeradius.server], secret: UPSTREAM_SECRET, timeoutSeconds: 5, requireMessageAuthenticator: false },
        },
      };
    },
  });
  afterAll(async () => {
    await Promise.all([slapd?.stop(), freeradius?.stop()]);
  });
  const authenticate = (attempt: AuthAttempt) => suite.ingress.authenticate(attempt);
  const enrol = (user: string) => enrolTotp(suite.users, user);

  it('ldap: bind as the user, then the TOTP challenge; LDAP groups pick the group attributes on the Accept', async () => {
    const code = await enrol('alice');
    const wrong = await authenticate({ user: 'alice', password: 'not-it', clientName: 'ldap-vpn' });
    expect(wrong.code).toBe(Code.AccessReject);
    const first = await authenticate({ user: 'alice', password: USERS.alice.password, clientName: 'ldap-vpn' });
    expect(first.code).toBe(Code.AccessChallenge);
    const done = await authenticate({ user: 'alice', password: code(), state: first.state!, clientName: 'ldap-vpn' });
    expect(done.code).toBe(Code.AccessAccept);
    // alice is a member of "VPN Users" in the fixture directory.
    expect(done.attribute(Attr.FilterId).map(String)).toEqual(['vpn-users']);
  });

  it('radius: the password is checked by FreeRADIUS upstream, the appended code by us', async () => {
    const code = await enrol('rita');
    expect((await authenticate({ user: 'rita', password: `wrong,${code()}`, clientName: 'radius-vpn' })).code).toBe(Code.AccessReject);
    const ok = await authenticate({ user: 'rita', password: `rita-pw,${code()}`, clientName: 'radius-vpn' });
    expect(ok.code).toBe(Code.AccessAccept);
  });

  it('none (RD Gateway): no password checked here; groups from LDAP drive the bypass', async () => {
    // alice is in "VPN Users": bypassed, with the client attributes.
    const bypassed = await authenticate({ user: 'alice', clientName: 'rdg' });
    expect(bypassed.code).toBe(Code.AccessAccept);
    expect(bypassed.attribute(Attr.Class).map(String)).toEqual(['rdg']);
    // bob is not, and not enrolled: rejected.
    expect((await authenticate({ user: 'bob', clientName: 'rdg' })).code).toBe(Code.AccessReject);
  });
});

describe('upstream RADIUS requires Message-Authenticator by default (BlastRADIUS)', () => {
  let freeradius: FreeRadius;
  const suite = useWorkerSuite({
    sections: async () => {
      freeradius = await startFreeRadius({ secret: UPSTREAM_SECRET, users: { rita: 'rita-pw' } });
      const client = clientFactory({ prompt: 'append', methods: ['totp'], firstFactor: 'radius' });
      return {
        clients: [client('radius-vpn')],
        directories: { radius: { servers: [freeradius.server], secret: UPSTREAM_SECRET, timeoutSeconds: 2, retries: 0 } },
      };
    },
  });
  afterAll(async () => {
    await freeradius?.stop();
  });

  it('an upstream Accept without Message-Authenticator (FreeRADIUS 3.2.1) is not believed: Reject', async () => {
    expect(suite.config.directories.radius?.requireMessageAuthenticator).toBe(true);
    const code = await enrolTotp(suite.users, 'rita');
    const result = await suite.ingress.authenticate({ user: 'rita', password: `rita-pw,${code()}`, clientName: 'radius-vpn' });
    expect(result.code).toBe(Code.AccessReject);
  });
});

describe('first factor entra (ROPC against the Entra stand-in)', () => {
  let standin: EntraStandin;
  const secret = `app-secret-${randomUUID()}`;
  const entra: Partial<EntraOptions> = { readPhoneMethods: false };
  const suite = useWorkerSuite({
    sections: async () => {
      standin = await startEntraStandin();
      // The stand-in's CA is pinned in the worker (the config file cannot carry it).
      entra.caCertificates = standin.caPem;
      const clientId = randomUUID();
      standin.addApp({ clientId, secret, graphPermissions: ['User.Read.All', 'GroupMember.Read.All', 'UserAuthenticationMethod.Read.All'] });
      standin.addUser({ id: randomUUID(), userPrincipalName: 'uma@contoso.example', accountEnabled: true, password: 'Uma password 1!' });
      return {
        clients: [clientFactory({})('entra-vpn', { firstFactor: 'entra', prompt: 'append', methods: ['totp'] })],
        directories: { entra: { tenantId: standin.tenantId, clientId, clientSecret: secret, authorityHost: standin.authorityHost, graphEndpoint: standin.graphEndpoint, ropc: true } },
      };
    },
    entra,
  });
  afterAll(async () => {
    await standin?.close();
  });

  it('checks the password with Entra, then the appended code', async () => {
    const code = await enrolTotp(suite.users, 'uma@contoso.example');
    expect((await suite.ingress.authenticate({ user: 'uma@contoso.example', password: `Wrong password 1!,${code()}` })).code).toBe(Code.AccessReject);
    expect((await suite.ingress.authenticate({ user: 'Uma@Contoso.example', password: `Uma password 1!,${code()}` })).code).toBe(Code.AccessAccept);
  });
});
