/**
 * MD4 (RFC 1320), needed only for the NT password hash of MS-CHAPv2 (RFC 2759 §8.3):
 * OpenSSL 3 moved MD4 to its legacy provider, which Node does not load.
 */
const ROUND2_ORDER = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const ROUND3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
const ROUND1_SHIFTS = [3, 7, 11, 19];
const ROUND2_SHIFTS = [3, 5, 9, 13];
const ROUND3_SHIFTS = [3, 9, 11, 15];

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

export function md4(message: Buffer): Buffer {
  // RFC 1320 §3.1-3.2: append 0x80, zero-fill to 56 mod 64, then the bit length as 64-bit little-endian.
  const paddedLength = (((message.length + 8) >> 6) + 1) << 6;
  const padded = Buffer.alloc(paddedLength);
  message.copy(padded);
  padded[message.length] = 0x80;
  const bitLength = message.length * 8;
  padded.writeUInt32LE(bitLength >>> 0, paddedLength - 8);
  padded.writeUInt32LE(Math.floor(bitLength / 0x100000000), paddedLength - 4);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Int32Array(16);
  for (let block = 0; block < paddedLength; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = padded.readInt32LE(block + i * 4);
    const [aa, bb, cc, dd] = [a, b, c, d];
    // Each round applies its step to (a,b,c,d), (d,a,b,c), (c,d,a,b), (b,c,d,a) in turn (RFC 1320 §3.4).
    for (let i = 0; i < 16; i++) {
      const f = (b & c) | (~b & d);
      const next = rotateLeft((a + f + x[i]!) | 0, ROUND1_SHIFTS[i % 4]!);
      [a, b, c, d] = [d, next, b, c];
    }
    for (let i = 0; i < 16; i++) {
      const g = (b & c) | (b & d) | (c & d);
      const next = rotateLeft((a + g + x[ROUND2_ORDER[i]!]! + 0x5a827999) | 0, ROUND2_SHIFTS[i % 4]!);
      [a, b, c, d] = [d, next, b, c];
    }
    for (let i = 0; i < 16; i++) {
      const h = b ^ c ^ d;
      const next = rotateLeft((a + h + x[ROUND3_ORDER[i]!]! + 0x6ed9eba1) | 0, ROUND3_SHIFTS[i % 4]!);
      [a, b, c, d] = [d, next, b, c];
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  const digest = Buffer.alloc(16);
  digest.writeInt32LE(a, 0);
  digest.writeInt32LE(b, 4);
  digest.writeInt32LE(c, 8);
  digest.writeInt32LE(d, 12);
  return digest;
}
