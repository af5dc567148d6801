/**
 * Why a datagram was dropped. Each value is a `radius_packets_dropped_total{reason}` label,
 * so the set is closed: callers may keep an exhaustive map over it.
 */
export type DropReason =
  | 'malformed_packet'
  | 'bad_length'
  | 'unknown_code'
  | 'unexpected_code'
  | 'malformed_attribute'
  | 'too_many_attributes'
  | 'missing_message_authenticator'
  | 'bad_message_authenticator'
  | 'bad_request_authenticator'
  | 'proxy_state_without_message_authenticator'
  | 'eap_without_message_authenticator'
  | 'response_too_large';

/** The only error the codec throws on untrusted input; `reason` is the metric label. */
export class RadiusProtocolError extends Error {
  readonly reason: DropReason;

  constructor(reason: DropReason, message: string) {
    super(message);
    this.name = 'RadiusProtocolError';
    this.reason = reason;
  }
}
