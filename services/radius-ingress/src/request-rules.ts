// Access-Request content the front door rejects on its own (PROTOCOL-CASES 14, 16, 17, 19, 20, 24).
// The Reject still goes through admission and deliverVerdict, so a retransmission gets the same bytes.
import { Attr, type RadiusPacket } from '@radius-mfa/radius-protocol';

/** Why a request is rejected at the door; also the text of its Reply-Message (fixed strings, never user data). */
export type RequestProblem =
  | 'both User-Password and CHAP-Password'
  | 'malformed User-Password'
  | 'malformed CHAP-Password'
  | 'missing or repeated User-Name'
  | 'invalid User-Name'
  | 'Authorize-Only without State'
  | 'EAP is not offered';

/** RFC 2865 §5.6 Service-Type value Authorize-Only (RFC 5176 §3.2). */
const AUTHORIZE_ONLY = 17;
const MIN_USER_PASSWORD = 16;
const MAX_USER_PASSWORD = 128;
const CHAP_PASSWORD_LENGTH = 17;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Control characters (C0, DEL) have no place in a name a person typed; they are log-injection material. */
function isAcceptableUserName(value: Buffer): boolean {
  if (value.length === 0) return false;
  for (const byte of value) if (byte < 0x20 || byte === 0x7f) return false;
  try {
    utf8.decode(value);
    return true;
  } catch {
    return false;
  }
}

export function findRequestProblem(packet: RadiusPacket): RequestProblem | undefined {
  const userNames: Buffer[] = [];
  let password: Buffer | undefined;
  let chapPassword: Buffer | undefined;
  let hasState = false;
  let authorizeOnly = false;
  let hasEap = false;
  for (const { type, value } of packet.attributes) {
    if (type === Attr.UserName) userNames.push(value);
    else if (type === Attr.UserPassword) password = value;
    else if (type === Attr.CHAPPassword) chapPassword = value;
    else if (type === Attr.State) hasState = true;
    // RFC 8044 §3.1 / PROTOCOL-CASES 9: an integer of the wrong length is ignored, not trusted.
    else if (type === Attr.ServiceType && value.length === 4 && value.readUInt32BE(0) === AUTHORIZE_ONLY) authorizeOnly = true;
    else if (type === Attr.EAPMessage) hasEap = true;
  }
  // RFC 3579 §3.1: EAP-Message reached us with a valid Message-Authenticator, but EAP is not offered.
  if (hasEap) return 'EAP is not offered';
  // RFC 2865 §5.2 / §5.3: an Access-Request carries one of them, never both.
  if (password && chapPassword) return 'both User-Password and CHAP-Password';
  if (password && (password.length < MIN_USER_PASSWORD || password.length > MAX_USER_PASSWORD || password.length % 16 !== 0)) {
    return 'malformed User-Password';
  }
  if (chapPassword && chapPassword.length !== CHAP_PASSWORD_LENGTH) return 'malformed CHAP-Password';
  if (userNames.length !== 1) return 'missing or repeated User-Name';
  if (!isAcceptableUserName(userNames[0]!)) return 'invalid User-Name';
  // RFC 5080 §2.1.1: Authorize-Only is only meaningful in a conversation the server started.
  if (authorizeOnly && !hasState) return 'Authorize-Only without State';
  return undefined;
}
