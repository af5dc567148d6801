import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, createSealer, findTotpStep, generateTotp } from '@radius-mfa/mfa';

describe('properties', () => {
  it('base32 decode(encode(x)) = x for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        expect(base32Decode(base32Encode(bytes)).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('seal/unseal round-trips any bytes under any AAD, and a different AAD never opens', () => {
    const sealer = createSealer([{ id: 'k1', key: randomBytes(32) }]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.string(), fc.string(), (bytes, aad, other) => {
        const sealed = sealer.seal(Buffer.from(bytes), aad);
        expect(sealer.unseal(sealed, aad).equals(Buffer.from(bytes))).toBe(true);
        if (other !== aad) expect(() => sealer.unseal(sealed, other)).toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('a generated code is found at its own step for any time, period and digits', () => {
    const secret = randomBytes(20);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.constantFrom(30, 60),
        fc.constantFrom(6, 8),
        fc.constantFrom('SHA1' as const, 'SHA256' as const, 'SHA512' as const),
        (time, period, digits, algorithm) => {
          const code = generateTotp(secret, { time, period, digits, algorithm });
          expect(code).toHaveLength(digits);
          const step = findTotpStep(secret, code, { time, period, digits, algorithm, window: 0 });
          expect(step).toBe(Math.floor(time / period));
        },
      ),
      { numRuns: 300 },
    );
  });
});
