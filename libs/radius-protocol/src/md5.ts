/**
 * MD5 (RFC 1321) in JavaScript, for the RADIUS hot path only. Node's createHash costs about a microsecond
 * per call in binding overhead and createHmac about ten (it builds a key object each time), while one
 * request needs seven MD5s over a few dozen octets; this version also lets HMAC-MD5 start from the
 * precomputed state after the secret's ipad/opad block. No data-dependent branches or table lookups.
 * Tested against node:crypto on random inputs.
 */

// RFC 1321 §3.4: T[i] = floor(2^32 * abs(sin(i))), i = 1..64.
const T = new Int32Array(64);
for (let i = 0; i < 64; i++) T[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) | 0;
const SHIFTS = new Uint8Array([7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]);

/** Little-endian 32-bit store (RFC 1321 §2 byte order). */
function writeWord(out: Buffer, offset: number, word: number): void {
  out[offset] = word & 0xff;
  out[offset + 1] = (word >>> 8) & 0xff;
  out[offset + 2] = (word >>> 16) & 0xff;
  out[offset + 3] = (word >>> 24) & 0xff;
}

export interface Md5State {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

const INITIAL: Md5State = { a: 0x67452301, b: 0xefcdab89 | 0, c: 0x98badcfe | 0, d: 0x10325476 };

/** An incremental MD5; one instance is reused by the codec (JavaScript runs it to completion, never interleaved). */
export class Md5 {
  private a = INITIAL.a;
  private b = INITIAL.b;
  private c = INITIAL.c;
  private d = INITIAL.d;
  private readonly words = new Int32Array(16);
  private readonly pending = Buffer.alloc(64);
  private pendingLength = 0;
  private totalLength = 0;

  /** Starts over, from the initial state or from a state saved after whole 64-octet blocks. */
  reset(state: Md5State = INITIAL, absorbedLength = 0): this {
    this.a = state.a;
    this.b = state.b;
    this.c = state.c;
    this.d = state.d;
    this.pendingLength = 0;
    this.totalLength = absorbedLength;
    return this;
  }

  /** The state after whole blocks only (for HMAC precomputation). */
  state(): Md5State {
    return { a: this.a, b: this.b, c: this.c, d: this.d };
  }

  update(data: Buffer, start = 0, end = data.length): this {
    this.totalLength += end - start;
    const pending = this.pending;
    let offset = start;
    // Byte loops, not Buffer#copy: the pieces are a few dozen octets, below the cost of a native call.
    if (this.pendingLength > 0) {
      let filled = this.pendingLength;
      while (filled < 64 && offset < end) pending[filled++] = data[offset++]!;
      this.pendingLength = filled;
      if (filled < 64) return this;
      this.compress(pending, 0);
      this.pendingLength = 0;
    }
    while (offset + 64 <= end) {
      this.compress(data, offset);
      offset += 64;
    }
    let filled = 0;
    while (offset < end) pending[filled++] = data[offset++]!;
    this.pendingLength = filled;
    return this;
  }

  /** RFC 1321 §3.1-3.2 padding, then the digest written at `out[offset..offset+16]`. */
  digestInto(out: Buffer, offset: number): void {
    const pending = this.pending;
    let filled = this.pendingLength;
    pending[filled++] = 0x80;
    if (filled > 56) {
      while (filled < 64) pending[filled++] = 0;
      this.compress(pending, 0);
      filled = 0;
    }
    while (filled < 56) pending[filled++] = 0;
    writeWord(pending, 56, (this.totalLength * 8) | 0);
    writeWord(pending, 60, Math.floor(this.totalLength / 0x20000000));
    this.compress(pending, 0);
    writeWord(out, offset, this.a);
    writeWord(out, offset + 4, this.b);
    writeWord(out, offset + 8, this.c);
    writeWord(out, offset + 12, this.d);
  }

  digest(): Buffer {
    const out = Buffer.allocUnsafe(16);
    this.digestInto(out, 0);
    return out;
  }

  private compress(block: Buffer, offset: number): void {
    const x = this.words;
    for (let i = 0; i < 16; i++) {
      const o = offset + i * 4;
      x[i] = block[o]! | (block[o + 1]! << 8) | (block[o + 2]! << 16) | (block[o + 3]! << 24);
    }
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    // The four rounds of RFC 1321 §3.4, one loop each so every loop body stays branch-free.
    for (let i = 0; i < 16; i++) {
      const sum = (a + ((b & c) | (~b & d)) + T[i]! + x[i]!) | 0;
      const s = SHIFTS[i & 3]!;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    for (let i = 16; i < 32; i++) {
      const sum = (a + ((d & b) | (~d & c)) + T[i]! + x[(5 * i + 1) & 15]!) | 0;
      const s = SHIFTS[4 + (i & 3)]!;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    for (let i = 32; i < 48; i++) {
      const sum = (a + (b ^ c ^ d) + T[i]! + x[(3 * i + 5) & 15]!) | 0;
      const s = SHIFTS[8 + (i & 3)]!;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    for (let i = 48; i < 64; i++) {
      const sum = (a + (c ^ (b | ~d)) + T[i]! + x[(7 * i) & 15]!) | 0;
      const s = SHIFTS[12 + (i & 3)]!;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    this.a = (this.a + a) | 0;
    this.b = (this.b + b) | 0;
    this.c = (this.c + c) | 0;
    this.d = (this.d + d) | 0;
  }
}

/** MD5 of one buffer. */
export function md5(data: Buffer): Buffer {
  return new Md5().update(data).digest();
}
