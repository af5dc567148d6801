import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { EntraError } from './errors.js';
import type { EntraOptions } from './options.js';

/** What msal-node takes as the app's credential. */
export type MsalCredential =
  | { clientCertificate: { thumbprintSha256: string; privateKey: string; x5c: string } }
  | { clientSecret: string };

function pemOrFile(value: string, what: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw new EntraError('config', `cannot read ${what} ${value}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The app credential, certificate preferred: Entra identifies it by its SHA-256 thumbprint
 * (`x5t#S256`, PS256 signatures); the SHA-1 form is legacy. An expired certificate is refused
 * here, with its date, before Entra refuses it less clearly.
 */
export function loadMsalCredential(options: Pick<EntraOptions, 'clientCertificate' | 'clientSecret' | 'clientId'>, now = new Date()): MsalCredential {
  if (options.clientCertificate) {
    const certPem = pemOrFile(options.clientCertificate.cert, 'clientCertificate.cert');
    const keyPem = pemOrFile(options.clientCertificate.key, 'clientCertificate.key');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certPem);
      createPrivateKey(keyPem);
    } catch (error) {
      throw new EntraError('config', `clientCertificate is not a PEM certificate and private key: ${(error as Error).message}`, { cause: error });
    }
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) {
      throw new EntraError('config', 'clientCertificate.key does not belong to clientCertificate.cert');
    }
    const thumbprintSha256 = cert.fingerprint256.replaceAll(':', '');
    if (new Date(cert.validTo) < now) {
      throw new EntraError('certificate-expired', `the client certificate of ${options.clientId} (SHA-256 ${thumbprintSha256}) expired on ${new Date(cert.validTo).toISOString()}: issue a new one and upload it to the app registration`);
    }
    if (new Date(cert.validFrom) > now) {
      throw new EntraError('clock-skew', `the client certificate is not valid before ${new Date(cert.validFrom).toISOString()}: check this machine's clock`);
    }
    return { clientCertificate: { thumbprintSha256, privateKey: keyPem, x5c: certPem } };
  }
  if (options.clientSecret) return { clientSecret: options.clientSecret };
  throw new EntraError('config', 'directories.entra needs clientCertificate (preferred) or clientSecret');
}
