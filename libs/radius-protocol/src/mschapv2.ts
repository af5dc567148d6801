import { createCipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { md4 } from './md4.js';

/** RFC 2759 §8.7 magic constants for the Authenticator Response. */
const MAGIC_SERVER_TO_CLIENT = Buffer.from('Magic server to client signing constant', 'ascii');
const MAGIC_PAD = Buffer.from('Pad to make it do more than one iteration', 'ascii');

/** RFC 2759 §8.3: MD4 of the password in UTF-16LE (Unicode). */
export function ntPasswordHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}

/** RFC 2759 §8.4: MD4 of the NT hash, as stored by servers that keep only hashes. */
export function ntPasswordHashHash(ntHash: Buffer): Buffer {
  return md4(ntHash);
}

/** RFC 2759 §8.2: first 8 octets of SHA1(PeerChallenge + AuthenticatorChallenge + UserName). */
export function challengeHash(peerChallenge: Buffer, authenticatorChallenge: Buffer, userName: Buffer): Buffer {
  return createHash('sha1').update(peerChallenge).update(authenticatorChallenge).update(userName).digest().subarray(0, 8);
}

/** RFC 2759 §8.6: spreads 7 key octets over 8, leaving the (ignored) parity bit of each octet clear. */
function desKey(seven: Buffer): Buffer {
  const key = Buffer.alloc(8);
  let bits = 0n;
  for (const octet of seven) bits = (bits << 8n) | BigInt(octet);
  for (let i = 0; i < 8; i++) key[i] = Number((bits >> BigInt(49 - i * 7)) & 0x7fn) << 1;
  return key;
}

/** Single DES: OpenSSL 3 keeps des-ecb in the legacy provider, but EDE with K1 = K2 is the same cipher. */
function desEncrypt(block: Buffer, seven: Buffer): Buffer {
  const key = desKey(seven);
  const cipher = createCipheriv('des-ede-ecb', Buffer.concat([key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** RFC 2759 §8.5: DES-encrypts the 8-octet challenge under three keys cut from the zero-padded 21-octet hash. */
export function challengeResponse(challenge: Buffer, ntHash: Buffer): Buffer {
  const padded = Buffer.alloc(21);
  ntHash.copy(padded);
  return Buffer.concat([
    desEncrypt(challenge, padded.subarray(0, 7)),
    desEncrypt(challenge, padded.subarray(7, 14)),
    desEncrypt(challenge, padded.subarray(14, 21)),
  ]);
}

/** RFC 2759 §8.1: the 24-octet NT-Response from the NT hash (the peer's side, and the server's expectation). */
export function generateNtResponse(authenticatorChallenge: Buffer, peerChallenge: Buffer, userName: Buffer, ntHash: Buffer): Buffer {
  return challengeResponse(challengeHash(peerChallenge, authenticatorChallenge, userName), ntHash);
}

/** Verifies a peer's NT-Response against the user's NT hash, in constant time. False for a response that is not 24 octets. */
export function verifyNtResponse(
  ntHash: Buffer,
  authenticatorChallenge: Buffer,
  peerChallenge: Buffer,
  userName: Buffer,
  ntResponse: Buffer,
): boolean {
  if (ntResponse.length !== 24 || ntHash.length !== 16) return false;
  return timingSafeEqual(generateNtResponse(authenticatorChallenge, peerChallenge, userName, ntHash), ntResponse);
}

/** RFC 2759 §8.7: "S=" and 40 upper-case hex digits, proving to the peer that the server knew the password. */
export function generateAuthenticatorResponse(
  ntHash: Buffer,
  ntResponse: Buffer,
  peerChallenge: Buffer,
  authenticatorChallenge: Buffer,
  userName: Buffer,
): string {
  const first = createHash('sha1').update(ntPasswordHashHash(ntHash)).update(ntResponse).update(MAGIC_SERVER_TO_CLIENT).digest();
  const digest = createHash('sha1')
    .update(first)
    .update(challengeHash(peerChallenge, authenticatorChallenge, userName))
    .update(MAGIC_PAD)
    .digest();
  return `S=${digest.toString('hex').toUpperCase()}`;
}

/** MS-CHAP2-Response (RFC 2548 §2.3.2): Ident, Flags, Peer-Challenge (16), Reserved (8), Response (24). */
export interface MsChap2Response {
  readonly ident: number;
  readonly flags: number;
  readonly peerChallenge: Buffer;
  readonly ntResponse: Buffer;
}

const MS_CHAP2_RESPONSE_LENGTH = 50;

/** Splits an MS-CHAP2-Response value; undefined unless it is exactly 50 octets. */
export function parseMsChap2Response(value: Buffer): MsChap2Response | undefined {
  if (value.length !== MS_CHAP2_RESPONSE_LENGTH) return undefined;
  return { ident: value[0]!, flags: value[1]!, peerChallenge: value.subarray(2, 18), ntResponse: value.subarray(26, 50) };
}

/** MS-CHAP2-Success (RFC 2548 §2.3.3): the response's Ident followed by the Authenticator Response. */
export function msChap2SuccessValue(ident: number, authenticatorResponse: string): Buffer {
  return Buffer.concat([Buffer.from([ident]), Buffer.from(authenticatorResponse, 'ascii')]);
}
