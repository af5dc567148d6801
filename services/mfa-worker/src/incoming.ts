// What the flow needs from an Access-Request, read once, with the content rules whose answer is
// an Access-Reject (PROTOCOL-CASES 14, 16-20, 24). The ingress already dropped what must be dropped.
import { Attr, findAttribute, findAttributes, countAttributes, unhidePassword, type RadiusPacket } from '@radius-mfa/radius-protocol';

/** RFC 2865 §5.6 Service-Type Authorize-Only (RFC 5176 §3.2): no authentication, only a State continues it. */
export const SERVICE_TYPE_AUTHORIZE_ONLY = 17;

export interface IncomingRequest {
  /** User-Name as sent (UTF-8 text), before normalisation. */
  readonly userName: string;
  /** PAP password, unhidden, bytes; undefined when the request has none. */
  readonly password?: Buffer;
  readonly chap?: { readonly id: number; readonly response: Buffer; readonly challenge: Buffer };
  readonly state?: Buffer;
  readonly callingStationId?: string;
  readonly authorizeOnly: boolean;
}

export class RequestContentError extends Error {
  readonly code = 'REQUEST_CONTENT';
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RequestContentError';
  }
}

const CHAP_PASSWORD_LENGTH = 17;
const MAX_USER_NAME_BYTES = 253;

/** A user name a log or a directory can take: no control characters (PROTOCOL-CASES 19). */
function readUserName(packet: RadiusPacket): string {
  const count = countAttributes(packet, Attr.UserName);
  if (count === 0) throw new RequestContentError('no User-Name');
  if (count > 1) throw new RequestContentError('two User-Names');
  const raw = findAttribute(packet, Attr.UserName)!;
  if (raw.length === 0 || raw.length > MAX_USER_NAME_BYTES) throw new RequestContentError('empty User-Name');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(raw);
  // eslint-disable-next-line no-control-regex -- the point is to find control characters
  if (/[\u0000-\u001f\u007f]/.test(text) || text.includes('\ufffd')) throw new RequestContentError('User-Name with control characters or invalid UTF-8');
  return text;
}

export function readAccessRequest(packet: RadiusPacket, secret: Buffer): IncomingRequest {
  const userName = readUserName(packet);
  const hidden = findAttribute(packet, Attr.UserPassword);
  const chapPassword = findAttribute(packet, Attr.CHAPPassword);
  // RFC 2865 §5.2/§5.3: one of them, never both (PROTOCOL-CASES 16).
  if (hidden && chapPassword) throw new RequestContentError('both User-Password and CHAP-Password');
  // We offer no EAP method (PROTOCOL-CASES 14): reject rather than guess.
  if (countAttributes(packet, Attr.EAPMessage) > 0) throw new RequestContentError('EAP is not offered');
  let password: Buffer | undefined;
  if (hidden) {
    // RFC 2865 §5.2: 16..128 octets, a multiple of 16 (PROTOCOL-CASES 17).
    if (hidden.length < 16 || hidden.length > 128 || hidden.length % 16 !== 0) throw new RequestContentError(`User-Password of ${hidden.length} bytes`);
    password = unhidePassword(hidden, secret, packet.authenticator);
  }
  let chap: IncomingRequest['chap'];
  if (chapPassword) {
    if (chapPassword.length !== CHAP_PASSWORD_LENGTH) throw new RequestContentError(`CHAP-Password of ${chapPassword.length} bytes`);
    // RFC 2865 §2.2: without CHAP-Challenge the Request Authenticator is the challenge (PROTOCOL-CASES 20).
    chap = { id: chapPassword[0]!, response: chapPassword.subarray(1), challenge: findAttribute(packet, Attr.CHAPChallenge) ?? packet.authenticator };
  }
  const serviceType = findAttribute(packet, Attr.ServiceType);
  const station = findAttribute(packet, Attr.CallingStationId);
  const state = findAttributes(packet, Attr.State)[0];
  return {
    userName,
    ...(password !== undefined && { password }),
    ...(chap !== undefined && { chap }),
    ...(state !== undefined && { state }),
    ...(station !== undefined && station.length > 0 && { callingStationId: station.toString('utf8') }),
    // PROTOCOL-CASES 9: an integer of the wrong length is ignored.
    authorizeOnly: serviceType?.length === 4 && serviceType.readUInt32BE(0) === SERVICE_TYPE_AUTHORIZE_ONLY,
  };
}
