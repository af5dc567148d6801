import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacMd5 } from '../src/hmac-md5.js';
import { Md5, md5 } from '../src/md5.js';

// Every length around the padding boundaries of RFC 1321 §3.1-3.2 (55/56 octets fit or spill the
// length field, 63/64 fill a block), over two blocks, and HMAC keys around the 64-octet block of RFC 2104 §2.
const LENGTHS = Array.from({ length: 260 }, (_, i) => i);
const KEY_LENGTHS = [0, 1, 15, 16, 55, 56, 63, 64, 65, 100, 119, 120, 127, 128, 129, 200, 300];

describe('MD5 and HMAC-MD5 at the block boundaries agree with node:crypto', () => {
  it('MD5 of every length 0..259, whole and fed one octet at a time', () => {
    for (const length of LENGTHS) {
      const data = randomBytes(length);
      const reference = createHash('md5').update(data).digest();
      expect(md5(data), `length ${length}`).toEqual(reference);
      const incremental = new Md5();
      for (let i = 0; i < length; i++) incremental.update(data, i, i + 1);
      expect(incremental.digest(), `length ${length} byte by byte`).toEqual(reference);
    }
  });

  it('MD5 reused after reset gives the same digests', () => {
    const hash = new Md5();
    for (const length of [55, 56, 63, 64, 119, 120, 0]) {
      const data = randomBytes(length);
      expect(hash.reset().update(data).digest()).toEqual(createHash('md5').update(data).digest());
    }
  });

  it('HMAC-MD5 for keys shorter, equal and longer than the block, messages across the boundaries', () => {
    const hmac = new HmacMd5();
    const out = Buffer.alloc(16);
    for (const keyLength of KEY_LENGTHS) {
      const key = randomBytes(keyLength);
      for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 129, 200]) {
        const message = randomBytes(length);
        hmac.start(key).update(message).digestInto(out, 0);
        expect(out, `key ${keyLength}, message ${length}`).toEqual(createHmac('md5', key).update(message).digest());
      }
    }
  });
});
