import { describe, expect, it } from 'vitest';
import { generateMatchNumber, matchNumberEquals } from '@radius-mfa/mfa';

describe('number matching', () => {
  it('draws two-digit numbers over the whole range 10..99', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      const n = generateMatchNumber();
      expect(Number.isInteger(n) && n >= 10 && n <= 99).toBe(true);
      seen.add(n);
    }
    // 20,000 draws over 90 values: missing any one has probability ~90·e^-222.
    expect(seen.size).toBe(90);
  });

  it('compares numbers given as numbers or typed text', () => {
    expect(matchNumberEquals(47, 47)).toBe(true);
    expect(matchNumberEquals(47, '47')).toBe(true);
    expect(matchNumberEquals(47, ' 47 ')).toBe(true);
    expect(matchNumberEquals(47, 74)).toBe(false);
    expect(matchNumberEquals(47, '470')).toBe(false);
    expect(matchNumberEquals(7, '07')).toBe(true);
    expect(matchNumberEquals(47, '047')).toBe(true);
    expect(matchNumberEquals(47, '4 7')).toBe(false);
    expect(matchNumberEquals(47, '47.0')).toBe(false);
    expect(matchNumberEquals(47, '4')).toBe(false);
    expect(matchNumberEquals(47, '')).toBe(false);
    expect(matchNumberEquals(47, undefined)).toBe(false);
  });
});
