/**
 * A private OpenLDAP slapd for tests (Debian `slapd` and `ldap-utils`, listed in .ci/apt-packages):
 * mdb with the memberof overlay, plain LDAP and LDAPS on free ports of 127.0.0.1, two users and a
 * group loaded with ldapadd. It runs in the foreground as the test's child and dies with `stop()`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDaemonProcess, withPortRetry } from './daemon-process.js';
import { createTestPki } from './entra-standin.js';
import { freeTcpPort } from './free-port.js';

const run = promisify(execFile);

export const SLAPD_SUFFIX = 'dc=example,dc=org';
/** The service account the LDAP provider binds as to search (it may read everything). */
export const SLAPD_SERVICE_DN = `cn=svc,${SLAPD_SUFFIX}`;
export const SLAPD_SERVICE_PASSWORD = 'svc-secret';
export const SLAPD_USERS = {
  alice: { dn: `uid=alice,ou=people,${SLAPD_SUFFIX}`, password: 'alice-pw' },
  bob: { dn: `uid=bob,ou=people,${SLAPD_SUFFIX}`, password: 'bob-pw' },
} as const;
/** A groupOfNames with alice as its one member (bob is in no group). */
export const SLAPD_GROUP_DN = `cn=VPN Users,ou=groups,${SLAPD_SUFFIX}`;

export interface Slapd {
  /** ldap://127.0.0.1:PORT */
  readonly url: string;
  /** ldaps://127.0.0.1:PORT, with a certificate signed by `caPem` for localhost and 127.0.0.1. */
  readonly ldapsUrl: string;
  readonly caPem: string;
  stop(): Promise<void>;
}

function slapdConf(dir: string, tls: { caFile: string; certFile: string; keyFile: string }): string {
  return `
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
TLSCACertificateFile ${tls.caFile}
TLSCertificateFile ${tls.certFile}
TLSCertificateKeyFile ${tls.keyFile}

database mdb
maxsize 16777216
suffix "${SLAPD_SUFFIX}"
rootdn "cn=admin,${SLAPD_SUFFIX}"
rootpw admin-secret
directory ${dir}/data
overlay memberof

access to attrs=userPassword
  by anonymous auth
  by * none
access to *
  by dn.exact="${SLAPD_SERVICE_DN}" read
  by self read
  by * none
`;
}

const ENTRIES = `
dn: ${SLAPD_SUFFIX}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ${SLAPD_SERVICE_DN}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: svc
userPassword: ${SLAPD_SERVICE_PASSWORD}

dn: ou=people,${SLAPD_SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${SLAPD_SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: ${SLAPD_USERS.alice.dn}
objectClass: inetOrgPerson
uid: alice
cn: Alice
sn: Example
userPassword: ${SLAPD_USERS.alice.password}

dn: ${SLAPD_USERS.bob.dn}
objectClass: inetOrgPerson
uid: bob
cn: Bob
sn: Example
userPassword: ${SLAPD_USERS.bob.password}

dn: ${SLAPD_GROUP_DN}
objectClass: groupOfNames
cn: VPN Users
member: ${SLAPD_USERS.alice.dn}
`;

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts a private slapd (mdb, memberof overlay) on two free ports and loads two users and a group. */
export function startSlapd(): Promise<Slapd> {
  return withPortRetry(startOnce);
}

async function startOnce(): Promise<Slapd> {
  // The PKI's temp dir holds everything: certificates, config, database; stop() removes it.
  const pki = createTestPki();
  const dir = pki.dir;
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir, { caFile: pki.ca.certFile, certFile: pki.server.certFile, keyFile: pki.server.keyFile }));
  writeFileSync(join(dir, 'entries.ldif'), ENTRIES);
  const port = await freeTcpPort();
  const tlsPort = await freeTcpPort();
  const url = `ldap://127.0.0.1:${port}`;
  // -d keeps slapd in the foreground, so it is our child and dies with stop(); level "none" still
  // prints errors (a failed bind), which -d 0 keeps to itself.
  const slapd = startDaemonProcess('/usr/sbin/slapd', ['-h', `${url}/ ldaps://127.0.0.1:${tlsPort}/`, '-f', join(dir, 'slapd.conf'), '-d', 'none'], dir);
  const stop = (): Promise<void> => slapd.stop();
  try {
    await slapd.started();
    const deadline = Date.now() + 30_000;
    while (!(await canConnect(port))) {
      if (slapd.exited()) throw new Error(`slapd exited: ${slapd.output()}`);
      if (Date.now() > deadline) throw new Error(`slapd did not listen on ${port}: ${slapd.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await run('ldapadd', ['-x', '-H', url, '-D', `cn=admin,${SLAPD_SUFFIX}`, '-w', 'admin-secret', '-f', join(dir, 'entries.ldif')]);
    return { url, ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`, caPem: pki.ca.cert, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
