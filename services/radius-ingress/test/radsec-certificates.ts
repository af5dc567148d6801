// NAS certificates with chosen DNS subjectAltNames, signed by the test PKI's CA (its `issue`
// gives the name as CN only).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestCertificate, TestPki } from '@radius-mfa/testing';

export function issueWithDnsNames(pki: TestPki, file: string, commonName: string, dnsNames: readonly string[]): TestCertificate {
  const [keyFile, certFile, csr] = ['key.pem', 'cert.pem', 'csr'].map((ext) => join(pki.dir, `${file}.${ext}`)) as [string, string, string];
  const san = dnsNames.map((name) => `DNS:${name}`).join(',');
  const openssl = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=${san}`]);
  openssl(['x509', '-req', '-in', csr, '-CA', pki.ca.certFile, '-CAkey', pki.ca.keyFile, '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2', '-copy_extensions', 'copy', '-out', certFile]);
  return { keyFile, certFile, key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}
