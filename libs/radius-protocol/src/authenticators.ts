import { timingSafeEqual } from 'node:crypto';
import { AUTHENTICATOR_LENGTH, HEADER_LENGTH } from './limits.js';
import { Md5 } from './md5.js';
import { ZERO_AUTHENTICATOR } from './message-authenticator.js';

const md5 = new Md5();
const expected = Buffer.alloc(AUTHENTICATOR_LENGTH);

/**
 * RFC 2865 §3: Response Authenticator = MD5(Code+Identifier+Length+RequestAuthenticator+Attributes+Secret).
 * The same formula with 16 zero octets gives the Accounting-Request authenticator (RFC 2866 §3).
 */
export function computePacketAuthenticator(raw: Buffer, authenticator: Buffer, secret: Buffer): Buffer {
  const out = Buffer.allocUnsafe(AUTHENTICATOR_LENGTH);
  computeInto(out, raw, authenticator, secret);
  return out;
}

function computeInto(out: Buffer, raw: Buffer, authenticator: Buffer, secret: Buffer, outOffset = 0): void {
  md5.reset().update(raw, 0, 4).update(authenticator).update(raw, HEADER_LENGTH).update(secret).digestInto(out, outOffset);
}

/** RFC 2865 §3: checks a reply's Response Authenticator against the request's authenticator in constant time. */
export function verifyResponseAuthenticator(raw: Buffer, requestAuthenticator: Buffer, secret: Buffer): boolean {
  computeInto(expected, raw, requestAuthenticator, secret);
  return timingSafeEqual(expected, raw.subarray(4, 4 + AUTHENTICATOR_LENGTH));
}

/** RFC 2866 §3 / RFC 5176 §2.3: Accounting, CoA and Disconnect requests carry MD5 over the packet with a zero authenticator. */
export function verifyAccountingRequestAuthenticator(raw: Buffer, secret: Buffer): boolean {
  computeInto(expected, raw, ZERO_AUTHENTICATOR, secret);
  return timingSafeEqual(expected, raw.subarray(4, 4 + AUTHENTICATOR_LENGTH));
}

/** Writes the authenticator computed over `packet` (header currently holding `authenticator`) into its header. */
export function signPacketAuthenticator(packet: Buffer, authenticator: Buffer, secret: Buffer): void {
  computeInto(packet, packet, authenticator, secret, 4);
}
