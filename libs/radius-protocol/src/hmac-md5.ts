import { Md5, type Md5State } from './md5.js';

const BLOCK = 64;

interface PadStates {
  /** a copy, so a secret changed in place is noticed */
  readonly secret: Buffer;
  readonly inner: Md5State;
  readonly outer: Md5State;
}

// RFC 2104 §2: the ipad/opad blocks depend on the secret only, so their MD5 states are computed once per secret.
const padStates = new WeakMap<Buffer, PadStates>();
const scratch = new Md5();

function statesFor(secret: Buffer): PadStates {
  const cached = padStates.get(secret);
  if (cached !== undefined && cached.secret.equals(secret)) return cached;
  const key = Buffer.alloc(BLOCK);
  if (secret.length > BLOCK) scratch.reset().update(secret).digestInto(key, 0);
  else secret.copy(key);
  const ipad = Buffer.allocUnsafe(BLOCK);
  const opad = Buffer.allocUnsafe(BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    ipad[i] = key[i]! ^ 0x36;
    opad[i] = key[i]! ^ 0x5c;
  }
  const states: PadStates = {
    secret: Buffer.from(secret),
    inner: scratch.reset().update(ipad).state(),
    outer: scratch.reset().update(opad).state(),
  };
  padStates.set(secret, states);
  return states;
}

/** An HMAC-MD5 (RFC 2104) in progress: feed the message with update(), then finish into a buffer. */
export class HmacMd5 {
  private readonly hash = new Md5();
  private outer: Md5State = { a: 0, b: 0, c: 0, d: 0 };
  private readonly innerDigest = Buffer.alloc(16);

  start(secret: Buffer): this {
    const states = statesFor(secret);
    this.outer = states.outer;
    this.hash.reset(states.inner, BLOCK);
    return this;
  }

  update(data: Buffer, start = 0, end = data.length): this {
    this.hash.update(data, start, end);
    return this;
  }

  digestInto(out: Buffer, offset: number): void {
    this.hash.digestInto(this.innerDigest, 0);
    this.hash.reset(this.outer, BLOCK).update(this.innerDigest).digestInto(out, offset);
  }
}
