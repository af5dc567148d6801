import { randomBytes } from 'node:crypto';
import { signPacketAuthenticator, verifyResponseAuthenticator } from './authenticators.js';
import { Code, hasComputedRequestAuthenticator, isResponseCode } from './codes.js';
import { RESERVED_MESSAGE_AUTHENTICATOR_OFFSET, encodeUnsigned } from './encode.js';
import { RadiusProtocolError } from './errors.js';
import { AUTHENTICATOR_LENGTH } from './limits.js';
import {
  hasWellFormedMessageAuthenticator,
  ZERO_AUTHENTICATOR,
  messageAuthenticatorValueOffset,
  signMessageAuthenticator,
  verifyMessageAuthenticator,
} from './message-authenticator.js';
import { decodePacket, type RadiusAttribute, type RadiusPacket } from './packet.js';

export interface BuildRequestOptions {
  code: number;
  identifier: number;
  /** Access-Request/Status-Server only; random when absent. Accounting/CoA/Disconnect authenticators are computed. */
  authenticator?: Buffer;
  attributes: readonly RadiusAttribute[];
  secret: Buffer;
  /** Message-Authenticator as the first attribute; always on for Status-Server (RFC 5997 §3). */
  messageAuthenticator: boolean;
}

/**
 * A client's request (test-auth, upstream proxy): random authenticator unless given; Message-Authenticator
 * first when asked. Attributes are already encoded (use hidePassword for User-Password).
 * The Request Authenticator to keep for verifyResponse is bytes 4..20 of the result.
 */
export function buildRequest(options: BuildRequestOptions): Buffer {
  const computed = hasComputedRequestAuthenticator(options.code);
  if (!computed && options.authenticator !== undefined && options.authenticator.length !== AUTHENTICATOR_LENGTH) {
    throw new RadiusProtocolError('malformed_packet', `authenticator of ${options.authenticator.length} bytes`);
  }
  const authenticator = computed ? ZERO_AUTHENTICATOR : (options.authenticator ?? randomBytes(AUTHENTICATOR_LENGTH));
  const messageAuthenticator = options.messageAuthenticator || options.code === Code.StatusServer;
  const packet = encodeUnsigned({
    code: options.code,
    identifier: options.identifier,
    authenticator,
    messageAuthenticator,
    attributes: options.attributes,
  });
  if (messageAuthenticator) signMessageAuthenticator(packet, RESERVED_MESSAGE_AUTHENTICATOR_OFFSET, options.secret);
  // RFC 2866 §3: MD5 over the packet (Message-Authenticator included) with a zero authenticator.
  if (computed) signPacketAuthenticator(packet, ZERO_AUTHENTICATOR, options.secret);
  return packet;
}

export interface VerifyResponseOptions {
  /** Refuse replies without Message-Authenticator (BlastRADIUS). Off by default: older servers omit it. */
  requireMessageAuthenticator?: boolean;
}

/**
 * A client checking a reply: identifier, Response Authenticator, Message-Authenticator if present (or required).
 * Throws RadiusProtocolError: 'unexpected_code' for a non-response code or a wrong identifier,
 * 'bad_request_authenticator' for a wrong Response Authenticator, the Message-Authenticator reasons otherwise.
 */
export function verifyResponse(
  response: Buffer,
  request: { identifier: number; authenticator: Buffer },
  secret: Buffer,
  options: VerifyResponseOptions = {},
): RadiusPacket {
  const packet = decodePacket(response);
  if (!isResponseCode(packet.code)) {
    throw new RadiusProtocolError('unexpected_code', `code ${packet.code} is not a response`);
  }
  if (packet.identifier !== request.identifier) {
    throw new RadiusProtocolError('unexpected_code', `identifier ${packet.identifier} answers no request ${request.identifier}`);
  }
  if (!verifyResponseAuthenticator(packet.raw, request.authenticator, secret)) {
    throw new RadiusProtocolError('bad_request_authenticator', 'Response Authenticator does not match');
  }
  if (!hasWellFormedMessageAuthenticator(packet.attributes)) {
    if (options.requireMessageAuthenticator === true) {
      throw new RadiusProtocolError('missing_message_authenticator', 'response without Message-Authenticator');
    }
    return packet;
  }
  // RFC 3579 §3.2: a response's HMAC is computed with the Request Authenticator in the header.
  const valueOffset = messageAuthenticatorValueOffset(packet.raw);
  if (!verifyMessageAuthenticator(packet.raw, valueOffset, request.authenticator, secret)) {
    throw new RadiusProtocolError('bad_message_authenticator', 'Message-Authenticator does not match');
  }
  return packet;
}
