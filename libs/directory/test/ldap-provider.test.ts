import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUserFilter, DirectoryError, escapeLdapFilterValue, groupNameFromDn, LdapProvider, userBindFailureReason, type LdapDirectoryOptions } from '@radius-mfa/directory';
import { freeTcpPort, startSlapd, SLAPD_SERVICE_DN as SERVICE_DN, SLAPD_SERVICE_PASSWORD as SERVICE_PASSWORD, SLAPD_SUFFIX as SUFFIX, SLAPD_USERS as USERS, type Slapd } from '@radius-mfa/testing';

const signal = (): AbortSignal => AbortSignal.timeout(20_000);
const pap = (user: string, password: string) => ({ user, password: Buffer.from(password) });

function options(url: string, overrides: Partial<LdapDirectoryOptions> = {}): LdapDirectoryOptions {
  return {
    url,
    bindDn: SERVICE_DN,
    bindPassword: SERVICE_PASSWORD,
    userSearch: { base: `ou=people,${SUFFIX}`, filter: '(&(objectClass=inetOrgPerson)(uid={user}))' },
    groupAttribute: 'memberOf',
    timeoutSeconds: 5,
    ...overrides,
  };
}

describe('LDAP filter escaping (RFC 4515)', () => {
  it('escapes the filter syntax characters of a user name', () => {
    expect(escapeLdapFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(escapeLdapFilterValue('a\\b\0c')).toBe('a\\5cb\\00c');
    expect(buildUserFilter('(|(uid={user})(mail={user}))', 'x*')).toBe('(|(uid=x\\2a)(mail=x\\2a))');
  });

  it('explains an Active Directory bind failure by its sub-code', () => {
    const ad = (code: string) => `80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${code}, v4563`;
    expect(userBindFailureReason(ad('52e'))).toBe('wrong password');
    expect(userBindFailureReason(ad('532'))).toBe('password expired');
    expect(userBindFailureReason(ad('533'))).toBe('account disabled');
    expect(userBindFailureReason(ad('775'))).toBe('account locked out');
    expect(userBindFailureReason('')).toBe('wrong password');
  });

  it('names a group by the first RDN of its DN', () => {
    expect(groupNameFromDn('cn=VPN Users,ou=groups,dc=example,dc=org')).toBe('VPN Users');
    expect(groupNameFromDn('CN=Smith\\, John,OU=x')).toBe('Smith, John');
    expect(groupNameFromDn('cn=caf\\c3\\a9,ou=x')).toBe('café');
    expect(groupNameFromDn('plain-name')).toBe('plain-name');
  });

  it('refuses a filter template without {user} and a URL that is not LDAP', () => {
    expect(() => new LdapProvider(options('ldap://127.0.0.1:1', { userSearch: { base: SUFFIX, filter: '(uid=alice)' } }))).toThrow(DirectoryError);
    expect(() => new LdapProvider(options('http://127.0.0.1:1'))).toThrow(/ldap:\/\/ or ldaps:\/\//);
    expect(() => new LdapProvider(options('ldaps://127.0.0.1:1', { tls: { ca: '/nonexistent/ca.pem' } }))).toThrow(/cannot read/);
  });
});

describe('LdapProvider against a real slapd', () => {
  let slapd: Slapd;
  let ldap: LdapProvider;

  beforeAll(async () => {
    slapd = await startSlapd();
    ldap = new LdapProvider(options(slapd.url));
  });

  afterAll(async () => {
    await ldap?.close();
    await slapd?.stop();
  });

  it('accepts the right password and returns the groups from memberOf', async () => {
    const result = await ldap.authenticate(pap('alice', USERS.alice.password), { signal: signal() });
    expect(result).toEqual({ outcome: 'accept', groups: ['VPN Users'], replyAttributes: [] });
  });

  it('accepts a user in no group with no groups', async () => {
    const result = await ldap.authenticate(pap('bob', USERS.bob.password), { signal: signal() });
    expect(result).toEqual({ outcome: 'accept', groups: [], replyAttributes: [] });
  });

  it('rejects a wrong password', async () => {
    const result = await ldap.authenticate(pap('alice', USERS.bob.password), { signal: signal() });
    expect(result).toEqual({ outcome: 'reject', reason: 'wrong password' });
  });

  it('rejects an empty password instead of making an unauthenticated bind', async () => {
    const result = await ldap.authenticate(pap('alice', ''), { signal: signal() });
    expect(result.outcome).toBe('reject');
  });

  it('rejects an empty user name without searching', async () => {
    expect(await ldap.authenticate(pap('', USERS.alice.password), { signal: signal() })).toEqual({ outcome: 'reject', reason: 'empty user name' });
  });

  it('rejects an unknown user', async () => {
    const result = await ldap.authenticate(pap('mallory', 'x'), { signal: signal() });
    expect(result).toEqual({ outcome: 'reject', reason: 'unknown user' });
  });

  it('finds nothing for a filter injection attempt, even with a real password', async () => {
    const injected = '*)(uid=*';
    expect(buildUserFilter('(&(objectClass=inetOrgPerson)(uid={user}))', injected)).toBe(
      '(&(objectClass=inetOrgPerson)(uid=\\2a\\29\\28uid=\\2a))',
    );
    const result = await ldap.authenticate(pap(injected, USERS.alice.password), { signal: signal() });
    expect(result).toEqual({ outcome: 'reject', reason: 'unknown user' });
    // Unescaped, a wildcard would find alice and her group.
    expect(await ldap.groupsOf('ali*', signal())).toEqual([]);
  });

  it('reports groups without a password', async () => {
    expect(await ldap.groupsOf('alice', signal())).toEqual(['VPN Users']);
    expect(await ldap.groupsOf('nobody', signal())).toEqual([]);
  });

  it('is unavailable, with a clear reason, when the service account is refused', async () => {
    const wrong = new LdapProvider(options(slapd.url, { bindPassword: 'not-the-password' }));
    const result = await wrong.authenticate(pap('alice', USERS.alice.password), { signal: signal() });
    expect(result.outcome).toBe('unavailable');
    expect(result.outcome === 'unavailable' && result.reason).toContain(`service account (bindDn ${SERVICE_DN}) was refused`);
    await wrong.close();
  });

  it('authenticates over StartTLS, verifying the server against the configured CA', async () => {
    const startTls = new LdapProvider(options(slapd.url, { startTls: true, tls: { ca: slapd.caPem } }));
    const result = await startTls.authenticate(pap('alice', USERS.alice.password), { signal: signal() });
    expect(result.outcome).toBe('accept');
    await startTls.close();
  });

  it('authenticates over LDAPS, with the CA read from a file as the config gives it', async () => {
    const caDir = mkdtempSync(join(tmpdir(), 'rmfa-ca-'));
    writeFileSync(join(caDir, 'ca.pem'), slapd.caPem);
    const ldaps = new LdapProvider(options(slapd.ldapsUrl, { tls: { ca: join(caDir, 'ca.pem') } }));
    rmSync(caDir, { recursive: true });
    const result = await ldaps.authenticate(pap('alice', USERS.alice.password), { signal: signal() });
    expect(result.outcome).toBe('accept');
    await ldaps.close();
  });

  it('is unavailable when the server certificate is not signed by a trusted CA', async () => {
    const untrusted = new LdapProvider(options(slapd.ldapsUrl));
    const result = await untrusted.authenticate(pap('alice', USERS.alice.password), { signal: signal() });
    expect(result.outcome).toBe('unavailable');
    expect(result.outcome === 'unavailable' && result.reason).toMatch(/certificate/i);
    await untrusted.close();
  });
});

describe('LdapProvider when the server is gone', () => {
  it('is unavailable once slapd has stopped', async () => {
    const slapd = await startSlapd();
    const ldap = new LdapProvider(options(slapd.url, { timeoutSeconds: 3 }));
    try {
      expect((await ldap.authenticate(pap('alice', USERS.alice.password), { signal: signal() })).outcome).toBe('accept');
      await slapd.stop();
      const result = await ldap.authenticate(pap('alice', USERS.alice.password), { signal: signal() });
      expect(result.outcome).toBe('unavailable');
      expect(result.outcome === 'unavailable' && result.reason).toContain(slapd.url);
    } finally {
      await ldap.close();
      await slapd.stop();
    }
  });

  it('is unavailable within the timeout when the server accepts but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    const port = await freeTcpPort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const ldap = new LdapProvider(options(`ldap://127.0.0.1:${port}`, { timeoutSeconds: 1 }));
    try {
      const result = await ldap.authenticate(pap('alice', 'x'), { signal: signal() });
      expect(result.outcome).toBe('unavailable');
    } finally {
      await ldap.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
