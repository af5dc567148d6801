import { Code, hasComputedRequestAuthenticator } from './codes.js';
import { verifyAccountingRequestAuthenticator } from './authenticators.js';
import { RadiusProtocolError } from './errors.js';
import {
  hasWellFormedMessageAuthenticator,
  ZERO_AUTHENTICATOR,
  messageAuthenticatorValueOffset,
  verifyMessageAuthenticator,
} from './message-authenticator.js';
import type { RadiusPacket } from './packet.js';

const PROXY_STATE = 33;
const EAP_MESSAGE = 79;

export interface VerifyRequestOptions {
  secret: Buffer;
  /** Drop Access-Requests without Message-Authenticator (BlastRADIUS, CVE-2024-3596). Status-Server always requires it. */
  requireMessageAuthenticator: boolean;
}

/**
 * Request checks (PROTOCOL-CASES 11-14, 33, 36): Message-Authenticator presence (when required, always for
 * Status-Server, always with Proxy-State or EAP-Message), length 18, no duplicates, value (constant time);
 * Accounting-Request authenticator. Throws RadiusProtocolError.
 */
export function verifyRequest(packet: RadiusPacket, options: VerifyRequestOptions): void {
  const hasMessageAuthenticator = hasWellFormedMessageAuthenticator(packet.attributes);
  let hasProxyState = false;
  let hasEap = false;
  for (const attribute of packet.attributes) {
    if (attribute.type === PROXY_STATE) hasProxyState = true;
    else if (attribute.type === EAP_MESSAGE) hasEap = true;
  }

  const computed = hasComputedRequestAuthenticator(packet.code);
  if (!hasMessageAuthenticator) {
    if (packet.code === Code.StatusServer) {
      // RFC 5997 §3: Status-Server without Message-Authenticator MUST be discarded.
      throw new RadiusProtocolError('missing_message_authenticator', 'Status-Server without Message-Authenticator');
    }
    if (!computed) {
      // RFC 3579 §3.2: EAP-Message requires Message-Authenticator. Proxy-State without it is the BlastRADIUS vector.
      if (hasEap) throw new RadiusProtocolError('eap_without_message_authenticator', 'EAP-Message without Message-Authenticator');
      if (hasProxyState) {
        throw new RadiusProtocolError('proxy_state_without_message_authenticator', 'Proxy-State without Message-Authenticator');
      }
      if (options.requireMessageAuthenticator) {
        throw new RadiusProtocolError('missing_message_authenticator', 'Access-Request without Message-Authenticator');
      }
    }
  } else {
    const valueOffset = messageAuthenticatorValueOffset(packet.raw);
    // RFC 5176 §3.1 / RFC 3579 §3.2: for requests whose authenticator is computed, the HMAC uses a zero authenticator.
    const signedAuthenticator = computed ? ZERO_AUTHENTICATOR : packet.authenticator;
    if (!verifyMessageAuthenticator(packet.raw, valueOffset, signedAuthenticator, options.secret)) {
      throw new RadiusProtocolError('bad_message_authenticator', 'Message-Authenticator does not match');
    }
  }

  if (computed && !verifyAccountingRequestAuthenticator(packet.raw, options.secret)) {
    throw new RadiusProtocolError('bad_request_authenticator', 'Request Authenticator does not match');
  }
}
