import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 2865 §5.3: CHAP-Password is the CHAP Ident (1 octet) and the 16-octet response. */
const CHAP_PASSWORD_LENGTH = 17;

/**
 * RFC 1994 §4.1 / RFC 2865 §2.2: the response is MD5(Ident + password + challenge). `challenge` is
 * CHAP-Challenge, or the Request Authenticator when the request has none (PROTOCOL-CASES 20).
 * False for a CHAP-Password that is not 17 bytes.
 */
export function verifyChap(password: Buffer, chapPassword: Buffer, challenge: Buffer): boolean {
  if (chapPassword.length !== CHAP_PASSWORD_LENGTH) return false;
  const expected = createHash('md5').update(chapPassword.subarray(0, 1)).update(password).update(challenge).digest();
  return timingSafeEqual(expected, chapPassword.subarray(1));
}

/** The client side: builds a CHAP-Password value for `ident`. */
export function chapPasswordValue(ident: number, password: Buffer, challenge: Buffer): Buffer {
  const value = Buffer.allocUnsafe(CHAP_PASSWORD_LENGTH);
  value[0] = ident;
  createHash('md5').update(value.subarray(0, 1)).update(password).update(challenge).digest().copy(value, 1);
  return value;
}
