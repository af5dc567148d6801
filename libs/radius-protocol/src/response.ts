import { signPacketAuthenticator } from './authenticators.js';
import { Code, isAccessResponse } from './codes.js';
import { RESERVED_MESSAGE_AUTHENTICATOR_OFFSET, encodeUnsigned } from './encode.js';
import { RadiusProtocolError } from './errors.js';
import { signMessageAuthenticator } from './message-authenticator.js';
import type { RadiusAttribute, RadiusPacket } from './packet.js';

const PROXY_STATE = 33;

function responseCodeFits(requestCode: number, code: number): boolean {
  if (requestCode === Code.AccessRequest) return isAccessResponse(code);
  // RFC 5997 §3: Status-Server is answered with an Access-Accept (auth port) or Accounting-Response (accounting port).
  if (requestCode === Code.StatusServer) return code === Code.AccessAccept || code === Code.AccountingResponse;
  if (requestCode === Code.AccountingRequest) return code === Code.AccountingResponse;
  if (requestCode === Code.CoARequest) return code === Code.CoAAck || code === Code.CoANak;
  if (requestCode === Code.DisconnectRequest) return code === Code.DisconnectAck || code === Code.DisconnectNak;
  return false;
}

/**
 * Access-Accept/Reject/Challenge or Accounting-Response for `request`: Message-Authenticator first (Access-*, and any answer to Status-Server),
 * every Proxy-State of the request copied in order at the end, Response Authenticator.
 * Throws RadiusProtocolError('response_too_large') beyond 4096 bytes, ('unexpected_code') for a code that does not answer the request.
 */
export function buildResponse(request: RadiusPacket, code: number, attributes: readonly RadiusAttribute[], secret: Buffer): Buffer {
  if (!responseCodeFits(request.code, code)) {
    throw new RadiusProtocolError('unexpected_code', `code ${code} does not answer code ${request.code}`);
  }
  // RFC 2865 §5.33: Proxy-State is echoed unchanged and in order, never interpreted.
  const proxyStates: RadiusAttribute[] = [];
  for (const attribute of request.attributes) {
    if (attribute.type === PROXY_STATE) proxyStates.push(attribute);
  }
  // The echo is the only source of Proxy-State in a response.
  const callerAttributes = attributes.some((a) => a.type === PROXY_STATE) ? attributes.filter((a) => a.type !== PROXY_STATE) : attributes;
  // BlastRADIUS (CVE-2024-3596): Message-Authenticator first in every Access-* response, and in every answer to
  // Status-Server (Accounting-Response included) so the prober can authenticate it as RFC 3579 §3.2 defines.
  const messageAuthenticator = isAccessResponse(code) || request.code === Code.StatusServer;
  const packet = encodeUnsigned({
    code,
    identifier: request.identifier,
    authenticator: request.authenticator,
    messageAuthenticator,
    attributes: callerAttributes,
    trailing: proxyStates,
  });
  // RFC 3579 §3.2: the HMAC covers the response with the Request Authenticator in place; then RFC 2865 §3's MD5 covers the HMAC.
  if (messageAuthenticator) signMessageAuthenticator(packet, RESERVED_MESSAGE_AUTHENTICATOR_OFFSET, secret);
  signPacketAuthenticator(packet, request.authenticator, secret);
  return packet;
}
