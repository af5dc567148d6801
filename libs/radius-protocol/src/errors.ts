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

/**
 * The only error the codec throws on untrusted input; `reason` is the metric label. It carries no
 * stack trace: it describes a datagram, not a fault in the code, and a flood of junk throws one per
 * datagram (capturing the stack took a third of the ingress's CPU under a flood).
 */
export class RadiusProtocolError extends Error {
  readonly reason: DropReason;

  constructor(reason: DropReason, message: string) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.name = 'RadiusProtocolError';
    this.reason = reason;
  }
}
