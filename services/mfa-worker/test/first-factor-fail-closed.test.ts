// failMode is about the second factor only: a first factor whose server is down rejects, even for
// a client with `failMode: open` and `unenrolled: allow` (nothing else could stand in for it).
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { freeTcpPort } from '@radius-mfa/testing';
import { Code } from '@radius-mfa/radius-protocol';
import { clientFactory, useWorkerSuite } from './harness.js';

describe('a first factor never fails open', () => {
  let silentRadius: Socket;
  const suite = useWorkerSuite({
    sections: async () => {
      // Nothing listens on the LDAP port (refused at once); the upstream RADIUS socket never answers.
      const deadLdapPort = await freeTcpPort();
      silentRadius = createSocket('udp4');
      await new Promise<void>((resolve) => silentRadius.bind(0, '127.0.0.1', resolve));
      const client = clientFactory({ prompt: 'append', methods: ['totp'], failMode: 'open', unenrolled: 'allow' });
      return {
        clients: [client('ldap-open', { firstFactor: 'ldap' }), client('radius-open', { firstFactor: 'radius' })],
        directories: {
          ldap: { url: `ldap://127.0.0.1:${deadLdapPort}`, bindDn: 'cn=svc,dc=example,dc=org', bindPassword: 'svc-password', userSearch: { base: 'dc=example,dc=org', filter: '(uid={user})' } },
          radius: { servers: [`udp://127.0.0.1:${silentRadius.address().port}`], secret: 'upstream-secret', timeoutSeconds: 1, retries: 0 },
        },
      };
    },
  });
  afterAll(() => silentRadius?.close());

  it.each([
    ['ldap-open', 'first-factor-ldap-unavailable'],
    ['radius-open', 'first-factor-radius-unavailable'],
  ])('%s: the directory is down, the answer is Reject and the audit says why', async (clientName, reason) => {
    const result = await suite.ingress.authenticate({ user: 'alice', password: 'alice-password', clientName });
    expect(result.code).toBe(Code.AccessReject);
    await suite.settled();
    expect((await suite.auditReasons()).filter((r) => r.startsWith(`${reason}:`))).toHaveLength(1);
  });
});
