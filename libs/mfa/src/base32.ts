/** RFC 4648 §6 base32 (the alphabet of TOTP secrets and otpauth:// URIs). */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export class Base32Error extends Error {
  readonly reason = 'invalid-base32';
  constructor(message: string) {
    super(message);
    this.name = 'Base32Error';
  }
}

/** Encodes without padding (what authenticator apps expect in otpauth:// URIs). */
export function base32Encode(data: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes base32, case-insensitively, ignoring spaces and trailing '=' padding (people type secrets
 * in groups); any other character is a Base32Error naming its position.
 */
export function base32Decode(text: string): Buffer {
  const cleaned = text.replace(/\s+/g, '').replace(/=+$/, '').toUpperCase();
  if (cleaned.length === 0) throw new Base32Error('empty base32 string');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (let i = 0; i < cleaned.length; i++) {
    const index = ALPHABET.indexOf(cleaned[i]!);
    if (index < 0) throw new Base32Error(`invalid base32 character "${cleaned[i]}" at position ${i}`);
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  // RFC 4648 §6: a whole number of 5-bit groups never leaves 5 or more dangling bits (lengths 1, 3, 6
  // mod 8 are impossible). Non-zero dangling bits are tolerated, as authenticator apps do (§3.5 "MAY").
  if (bits >= 5) throw new Base32Error(`invalid base32 length ${cleaned.length}`);
  return Buffer.from(out);
}
