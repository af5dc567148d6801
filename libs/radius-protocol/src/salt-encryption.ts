import { createHash, randomBytes } from 'node:crypto';
import { RadiusProtocolError } from './errors.js';

const BLOCK = 16;
const SALT_LENGTH = 2;

/** RFC 2548 §2.4.2: a salt's most significant bit is set; it must differ between attributes of one packet. */
export function randomSalt(): Buffer {
  const salt = randomBytes(SALT_LENGTH);
  salt[0] = salt[0]! | 0x80;
  return salt;
}

/** XORs `data` in place with MD5(secret + R + salt), then MD5(secret + previous ciphertext) per 16-octet block. */
function xorChain(data: Buffer, secret: Buffer, requestAuthenticator: Buffer, salt: Buffer, encrypting: boolean): void {
  let pad = createHash('md5').update(secret).update(requestAuthenticator).update(salt).digest();
  for (let offset = 0; offset < data.length; offset += BLOCK) {
    const cipherBlock = encrypting ? undefined : Buffer.from(data.subarray(offset, offset + BLOCK));
    for (let i = 0; i < BLOCK; i++) data[offset + i] = data[offset + i]! ^ pad[i]!;
    pad = createHash('md5').update(secret).update(cipherBlock ?? data.subarray(offset, offset + BLOCK)).digest();
  }
}

/**
 * Salt encryption (RFC 2548 §2.4.2, RFC 2868 §3.5): Salt followed by the encryption of a length octet,
 * the data and zero padding to a multiple of 16. `requestAuthenticator` is the Access-Request's.
 */
export function saltEncrypt(data: Buffer, secret: Buffer, requestAuthenticator: Buffer, salt: Buffer = randomSalt()): Buffer {
  if (salt.length !== SALT_LENGTH || (salt[0]! & 0x80) === 0) {
    throw new RadiusProtocolError('malformed_attribute', 'salt must be 2 octets with the high bit set');
  }
  if (data.length > 239) throw new RadiusProtocolError('malformed_attribute', `${data.length} octets are too long to salt-encrypt`);
  const plainLength = Math.ceil((data.length + 1) / BLOCK) * BLOCK;
  const out = Buffer.alloc(SALT_LENGTH + plainLength);
  salt.copy(out);
  out[SALT_LENGTH] = data.length;
  data.copy(out, SALT_LENGTH + 1);
  xorChain(out.subarray(SALT_LENGTH), secret, requestAuthenticator, salt, true);
  return out;
}

/** Reverses saltEncrypt; throws RadiusProtocolError('malformed_attribute') for a bad length or length octet. */
export function saltDecrypt(value: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer {
  const encryptedLength = value.length - SALT_LENGTH;
  if (encryptedLength < BLOCK || encryptedLength % BLOCK !== 0) {
    throw new RadiusProtocolError('malformed_attribute', `salt-encrypted value of ${value.length} octets`);
  }
  const plain = Buffer.from(value.subarray(SALT_LENGTH));
  xorChain(plain, secret, requestAuthenticator, value.subarray(0, SALT_LENGTH), false);
  const length = plain[0]!;
  if (length > plain.length - 1) throw new RadiusProtocolError('malformed_attribute', 'salt-encrypted length octet exceeds the data');
  return plain.subarray(1, 1 + length);
}

/** MS-MPPE-Send-Key / MS-MPPE-Recv-Key value (RFC 2548 §2.4.2, §2.4.3). */
export function encryptMppeKey(key: Buffer, secret: Buffer, requestAuthenticator: Buffer, salt?: Buffer): Buffer {
  return saltEncrypt(key, secret, requestAuthenticator, salt);
}

export function decryptMppeKey(value: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer {
  return saltDecrypt(value, secret, requestAuthenticator);
}

/** Tunnel-Password value (RFC 2868 §3.5): Tag, then the salt-encrypted password. */
export function encryptTunnelPassword(password: Buffer, secret: Buffer, requestAuthenticator: Buffer, tag = 0, salt?: Buffer): Buffer {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0x1f) throw new RadiusProtocolError('malformed_attribute', `tag ${tag} out of 0..31`);
  return Buffer.concat([Buffer.from([tag]), saltEncrypt(password, secret, requestAuthenticator, salt)]);
}

export function decryptTunnelPassword(value: Buffer, secret: Buffer, requestAuthenticator: Buffer): { tag: number; password: Buffer } {
  if (value.length < 1) throw new RadiusProtocolError('malformed_attribute', 'empty Tunnel-Password');
  return { tag: value[0]!, password: saltDecrypt(value.subarray(1), secret, requestAuthenticator) };
}
