import { describe, expect, it } from 'vitest';
import {
  Base32Error,
  base32Decode,
  base32Encode,
  findTotpStep,
  generateHotp,
  generateTotp,
  generateTotpSecret,
  otpauthUri,
  type TotpAlgorithm,
} from '@radius-mfa/mfa';

// RFC 6238 Appendix B: seeds are the ASCII digits repeated to the hash's length.
const seeds: Record<TotpAlgorithm, Buffer> = {
  SHA1: Buffer.from('12345678901234567890'),
  SHA256: Buffer.from('12345678901234567890123456789012'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const vectors: [number, string, TotpAlgorithm][] = [
  [59, '94287082', 'SHA1'],
  [59, '46119246', 'SHA256'],
  [59, '90693936', 'SHA512'],
  [1111111109, '07081804', 'SHA1'],
  [1111111109, '68084774', 'SHA256'],
  [1111111109, '25091201', 'SHA512'],
  [1111111111, '14050471', 'SHA1'],
  [1111111111, '67062674', 'SHA256'],
  [1111111111, '99943326', 'SHA512'],
  [1234567890, '89005924', 'SHA1'],
  [1234567890, '91819424', 'SHA256'],
  [1234567890, '93441116', 'SHA512'],
  [2000000000, '69279037', 'SHA1'],
  [2000000000, '90698825', 'SHA256'],
  [2000000000, '38618901', 'SHA512'],
  [20000000000, '65353130', 'SHA1'],
  [20000000000, '77737706', 'SHA256'],
  [20000000000, '47863826', 'SHA512'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(vectors)('appendix B: T=%i → %s (%s)', (time, code, algorithm) => {
    const secret = seeds[algorithm];
    expect(generateTotp(secret, { time, digits: 8, period: 30, algorithm })).toBe(code);
    expect(findTotpStep(secret, code, { time, digits: 8, period: 30, algorithm, window: 0 })).toBe(Math.floor(time / 30));
  });

  it('RFC 4226 appendix D HOTP values', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((code, counter) => expect(generateHotp(seeds.SHA1, counter, 6, 'SHA1')).toBe(code));
  });

  it('accepts exactly ±window steps', () => {
    const secret = generateTotpSecret();
    const time = 1_700_000_000;
    const step = Math.floor(time / 30);
    const codeAt = (s: number): string => generateTotp(secret, { time: s * 30 });
    expect(findTotpStep(secret, codeAt(step - 1), { time, window: 1 })).toBe(step - 1);
    expect(findTotpStep(secret, codeAt(step + 1), { time, window: 1 })).toBe(step + 1);
    expect(findTotpStep(secret, codeAt(step), { time, window: 0 })).toBe(step);
    // Edges: a code two steps off is outside a window of 1 (unless it happens to collide).
    const twoBack = codeAt(step - 2);
    if (![step - 1, step, step + 1].some((s) => codeAt(s) === twoBack)) {
      expect(findTotpStep(secret, twoBack, { time, window: 1 })).toBeUndefined();
      expect(findTotpStep(secret, twoBack, { time, window: 2 })).toBe(step - 2);
    }
    // The last second of a step and the first of the next are different steps.
    expect(findTotpStep(secret, codeAt(step), { time: step * 30 + 29.999, window: 0 })).toBe(step);
    expect(findTotpStep(secret, codeAt(step + 1), { time: (step + 1) * 30, window: 0 })).toBe(step + 1);
  });

  it("tries the current step first: a code that is also a neighbour's code is the current one", () => {
    // One-digit codes collide often: find a secret whose current and next codes are equal
    // and whose previous code differs (so that, one step earlier, the current step does not match).
    const time = 1_700_000_000;
    const step = Math.floor(time / 30);
    const options = { digits: 1, time, window: 1 };
    const codeAt = (key: Buffer, s: number): string => generateTotp(key, { ...options, time: s * 30 });
    let secret = generateTotpSecret();
    while (codeAt(secret, step) !== codeAt(secret, step + 1) || codeAt(secret, step - 1) === codeAt(secret, step)) secret = generateTotpSecret();
    expect(findTotpStep(secret, generateTotp(secret, options), options)).toBe(step);
    // Off the current step, the newest match still wins.
    const later = { ...options, time: time - 30 };
    expect(findTotpStep(secret, generateTotp(secret, options), later)).toBe(step);
  });

  it('refuses codes of the wrong shape', () => {
    const secret = generateTotpSecret();
    const code = generateTotp(secret, { time: 1000 });
    expect(findTotpStep(secret, code, { time: 1000 })).toBeDefined();
    expect(findTotpStep(secret, code.slice(1), { time: 1000 })).toBeUndefined();
    expect(findTotpStep(secret, `${code}0`, { time: 1000 })).toBeUndefined();
    expect(findTotpStep(secret, 'abcdef', { time: 1000 })).toBeUndefined();
    expect(findTotpStep(secret, '', { time: 1000 })).toBeUndefined();
  });

  it('builds otpauth:// URIs', () => {
    const uri = new URL(otpauthUri({ issuer: 'Contoso VPN', account: 'alice@contoso.com', secret: Buffer.from('12345678901234567890'), digits: 8, period: 60, algorithm: 'SHA256' }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Contoso VPN:alice@contoso.com');
    expect(uri.searchParams.get('secret')).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(uri.searchParams.get('issuer')).toBe('Contoso VPN');
    expect(uri.searchParams.get('algorithm')).toBe('SHA256');
    expect(uri.searchParams.get('digits')).toBe('8');
    expect(uri.searchParams.get('period')).toBe('60');
    expect(uri.href).not.toContain('+');
  });

  it('generates 20-byte secrets', () => {
    const a = generateTotpSecret();
    expect(a.length).toBe(20);
    expect(a.equals(generateTotpSecret())).toBe(false);
  });
});

describe('base32 (RFC 4648)', () => {
  it('RFC 4648 §10 test vectors', () => {
    const cases: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, encoded] of cases) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      if (encoded) expect(base32Decode(encoded).toString()).toBe(plain);
    }
  });

  it('decodes lower case, spaces and padding', () => {
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
  });

  it('rejects invalid characters and lengths with a typed error', () => {
    expect(() => base32Decode('MZXW1')).toThrow(Base32Error);
    expect(() => base32Decode('MZXW1')).toThrow(/position 4/);
    expect(() => base32Decode('MZ!W')).toThrow(Base32Error);
    expect(() => base32Decode('M')).toThrow(/length/);
    expect(() => base32Decode('MZX')).toThrow(Base32Error);
    expect(() => base32Decode('')).toThrow(Base32Error);
  });
});
