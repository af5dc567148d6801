import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer, createSealerFromBase64, SealError } from '@radius-mfa/mfa';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

function sealErrorReason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof SealError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('createSealer', () => {
  it('round-trips and names the key in the header', () => {
    const sealer = createSealer([k1]);
    const plain = Buffer.from('a raw RADIUS request');
    const sealed = sealer.seal(plain);
    expect(sealed[0]).toBe(1);
    expect(sealer.keyIdOf(sealed)).toBe('k1');
    expect(sealed.includes(plain)).toBe(false);
    expect(sealer.unseal(sealed)).toEqual(plain);
    expect(sealer.unseal(sealer.seal(Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
  });

  it('uses a fresh IV each time', () => {
    const sealer = createSealer([k1]);
    expect(sealer.seal(Buffer.from('x')).equals(sealer.seal(Buffer.from('x')))).toBe(false);
  });

  it('never repeats an IV across its blocks of pre-drawn IVs, and a sealed value keeps its IV', () => {
    const sealer = createSealer([k1]);
    const ivOf = (sealed: Buffer): string => sealed.subarray(4, 16).toString('hex');
    const sealed = Array.from({ length: 2_000 }, (_, i) => sealer.seal(Buffer.from(`value ${i}`)));
    const ivs = new Set(sealed.map(ivOf));
    expect(ivs.size).toBe(sealed.length);
    expect(ivs.has('0'.repeat(24))).toBe(false);
    // The IV is copied into the sealed value: later seals do not change earlier ones.
    sealed.forEach((value, i) => expect(sealer.unseal(value).toString()).toBe(`value ${i}`));
  });

  it('detects tampering anywhere: header, IV, ciphertext, tag', () => {
    const sealer = createSealer([k1]);
    const sealed = sealer.seal(Buffer.from('secret bytes'));
    for (let i = 2; i < sealed.length; i++) {
      const copy = Buffer.from(sealed);
      copy[i]! ^= 0x01;
      const reason = sealErrorReason(() => sealer.unseal(copy));
      expect(['authentication-failed', 'unknown-key'], `byte ${i}`).toContain(reason);
    }
    expect(sealErrorReason(() => sealer.unseal(sealed.subarray(0, 10)))).toBe('malformed');
    const version = Buffer.from(sealed);
    version[0] = 9;
    expect(sealErrorReason(() => sealer.unseal(version))).toBe('unsupported-version');
  });

  it('rotates: new seals use the first key, old sealed values still open', () => {
    const old = createSealer([k1]);
    const sealedOld = old.seal(Buffer.from('before rotation'));
    const rotated = createSealer([k2, k1]);
    expect(rotated.unseal(sealedOld).toString()).toBe('before rotation');
    const sealedNew = rotated.seal(Buffer.from('after'));
    expect(rotated.keyIdOf(sealedNew)).toBe('k2');
    expect(sealErrorReason(() => old.unseal(sealedNew))).toBe('unknown-key');
  });

  it('binds the AAD: another context cannot open it', () => {
    const sealer = createSealer([k1]);
    const sealed = sealer.seal(Buffer.from('JBSWY3DPEHPK3PXP'), 'totp-secret:alice');
    expect(sealer.unseal(sealed, 'totp-secret:alice').toString()).toBe('JBSWY3DPEHPK3PXP');
    expect(sealErrorReason(() => sealer.unseal(sealed, 'totp-secret:mallory'))).toBe('authentication-failed');
    expect(sealErrorReason(() => sealer.unseal(sealed))).toBe('authentication-failed');
  });

  it('takes keys as configured (base64)', () => {
    const fromConfig = createSealerFromBase64([{ id: 'k1', key: k1.key.toString('base64') }]);
    expect(createSealer([k1]).unseal(fromConfig.seal(Buffer.from('x'))).toString()).toBe('x');
    expect(sealErrorReason(() => createSealerFromBase64([{ id: 'k1', key: 'c2hvcnQ=' }]))).toBe('invalid-key');
  });

  it('refuses bad keys', () => {
    expect(sealErrorReason(() => createSealer([]))).toBe('invalid-key');
    expect(sealErrorReason(() => createSealer([{ id: 'short', key: randomBytes(16) }]))).toBe('invalid-key');
    expect(sealErrorReason(() => createSealer([k1, { ...k2, id: 'k1' }]))).toBe('invalid-key');
    expect(sealErrorReason(() => createSealer([{ id: '', key: randomBytes(32) }]))).toBe('invalid-key');
  });
});
