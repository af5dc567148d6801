import type { DropReason } from '@radius-mfa/radius-protocol';

/**
 * Every `radius_packets_dropped_total{reason}` label: the codec's reasons and the front door's own.
 * A closed set, so dashboards and alerts can name them.
 */
export type IngressDropReason =
  | DropReason
  /** Source address of no configured client (PROTOCOL-CASES 6). */
  | 'unknown_client'
  /** A verified request over the client's token bucket, `rateLimit` (PROTOCOL-CASES 42). */
  | 'rate_limited'
  /** A packet not yet verified over 10× the client's `rateLimit`: forged floods bounded without draining the client's bucket. */
  | 'unverified_rate_limited'
  /** radius.maxPendingPerPod reached: the NAS retries elsewhere. */
  | 'overload'
  /** Accounting on the authentication port, Access-Request on the accounting port, CoA/Disconnect (PROTOCOL-CASES 5). */
  | 'wrong_port'
  /** Redis did not answer the admission (or the Status-Server probe, PROTOCOL-CASES 35). */
  | 'redis_unavailable'
  /** The ingress is shutting down and takes no new work. */
  | 'draining'
  /** A RadSec connection over radius.tls.maxConnections: closed at once. */
  | 'radsec_connection_limit'
  /** A RadSec connection over radius.tls.maxConnectionsPerAddress from its source address: closed at once. */
  | 'radsec_address_limit'
  /** A RadSec connection that had not completed its TLS handshake within radius.tls.handshakeTimeoutSeconds. */
  | 'radsec_handshake_timeout'
  /** A RadSec connection whose certificate carries none of its client's `tlsNames` (the client found by source address). */
  | 'radsec_identity_mismatch';
