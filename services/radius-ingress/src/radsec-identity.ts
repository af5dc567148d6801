// Which client a RadSec connection speaks for: its source address picks the client, as for UDP
// (RFC 6614 §2.3 leaves the mapping to the server); its certificate must then carry one of that
// client's `tlsNames`, so a certificate the shared CA signed for another purpose speaks for nobody.
import type { X509Certificate } from 'node:crypto';
import type { ClientTable, ResolvedClient } from './client-table.js';
import type { IngressDropReason } from './drop-reasons.js';

/** What the server learns from the TLS handshake about the peer. */
export interface PeerIdentity {
  readonly address: string;
  /** The verified peer certificate (the listener requires one chained to radius.tls.ca). */
  readonly certificate: X509Certificate | undefined;
  /** The subject's CN values, as the certificate holds them. */
  readonly commonNames: readonly string[];
}

export type RadsecRefusal = Extract<IngressDropReason, 'unknown_client' | 'radsec_identity_mismatch'>;

export type RadsecClientChoice = { readonly client: ResolvedClient } | { readonly refused: RadsecRefusal; readonly client?: ResolvedClient };

/** A DNS subjectAltName equal to `name` (case-insensitive, no wildcard expansion, CN not consulted). */
function hasDnsName(certificate: X509Certificate, name: string): boolean {
  try {
    return certificate.checkHost(name, { subject: 'never', wildcards: false }) !== undefined;
  } catch {
    // OpenSSL refuses malformed names (the schema already keeps them out of tlsNames).
    return false;
  }
}

/**
 * Whether the certificate has any DNS subjectAltName. Node prints each entry as `TYPE:value`, joined by
 * ", ", and escapes a comma inside a value, so an entry starts a DNS one only where "DNS:" follows ", ".
 */
function hasDnsSubjectAltName(certificate: X509Certificate): boolean {
  return /(?:^|, )DNS:/.test(certificate.subjectAltName ?? '');
}

/**
 * Whether the certificate carries one of `names`: as a DNS subjectAltName when it has any, else as its
 * subject CN (exact). RFC 6125 §6.4.4: the CN is not consulted when the certificate presents a DNS-ID.
 */
export function certificateHasName(peer: PeerIdentity, names: readonly string[]): boolean {
  const { certificate } = peer;
  if (certificate !== undefined && hasDnsSubjectAltName(certificate)) return names.some((name) => hasDnsName(certificate, name));
  return names.some((name) => peer.commonNames.includes(name));
}

export function chooseRadsecClient(clients: ClientTable, peer: PeerIdentity): RadsecClientChoice {
  const client = clients.lookup(peer.address);
  if (!client) return { refused: 'unknown_client' };
  // A client without tlsNames accepts no certificate: it cannot be used over RadSec.
  if (!certificateHasName(peer, client.config.tlsNames)) return { refused: 'radsec_identity_mismatch', client };
  return { client };
}
