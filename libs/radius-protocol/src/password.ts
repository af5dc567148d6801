import { RadiusProtocolError } from './errors.js';
import { Md5 } from './md5.js';

const BLOCK = 16;
/** RFC 2865 §5.2: User-Password is 16..128 octets once padded. */
export const MAX_PASSWORD_LENGTH = 128;

const md5 = new Md5();
const pad = Buffer.alloc(BLOCK);

/**
 * RFC 2865 §5.2: pads with NULs to a multiple of 16 and XORs each block with
 * MD5(secret + previous ciphertext block), the first with MD5(secret + Request Authenticator).
 */
export function hidePassword(password: Buffer, secret: Buffer, authenticator: Buffer): Buffer {
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new RadiusProtocolError('malformed_attribute', `password of ${password.length} bytes exceeds ${MAX_PASSWORD_LENGTH}`);
  }
  const length = Math.max(BLOCK, Math.ceil(password.length / BLOCK) * BLOCK);
  const hidden = Buffer.alloc(length);
  password.copy(hidden);
  let previous = authenticator;
  for (let offset = 0; offset < length; offset += BLOCK) {
    md5.reset().update(secret).update(previous).digestInto(pad, 0);
    for (let i = 0; i < BLOCK; i++) hidden[offset + i] = hidden[offset + i]! ^ pad[i]!;
    previous = hidden.subarray(offset, offset + BLOCK);
  }
  return hidden;
}

/** Reverses hidePassword and strips the trailing NUL padding; the result is bytes, never a string. */
export function unhidePassword(hidden: Buffer, secret: Buffer, authenticator: Buffer): Buffer {
  if (hidden.length < BLOCK || hidden.length > MAX_PASSWORD_LENGTH || hidden.length % BLOCK !== 0) {
    throw new RadiusProtocolError('malformed_attribute', `User-Password of ${hidden.length} bytes`);
  }
  const clear = Buffer.allocUnsafe(hidden.length);
  let previous = authenticator;
  for (let offset = 0; offset < hidden.length; offset += BLOCK) {
    md5.reset().update(secret).update(previous).digestInto(pad, 0);
    for (let i = 0; i < BLOCK; i++) clear[offset + i] = hidden[offset + i]! ^ pad[i]!;
    previous = hidden.subarray(offset, offset + BLOCK);
  }
  let end = clear.length;
  while (end > 0 && clear[end - 1] === 0) end--;
  return clear.subarray(0, end);
}
