import { randomInt, timingSafeEqual } from 'node:crypto';

/** Number matching: a two-digit number shown on the sign-in side, typed into the approval. */

/** Uniform over 10..99, so the number is always two digits on the Reply-Message. */
export function generateMatchNumber(): number {
  return randomInt(10, 100);
}

/**
 * The canonical text of a typed answer: '07', ' 7' and 7 are the same answer; anything that is
 * not a small number becomes 'invalid', which never equals a stored number. '' when nothing was given.
 */
export function normaliseMatchNumber(given: number | string | undefined): string {
  if (given === undefined) return '';
  const text = String(given).trim();
  return /^\d{1,3}$/.test(text) ? String(Number(text)) : 'invalid';
}

/** Compares without an early exit on the first differing digit. */
export function matchNumberEquals(expected: number, given: number | string | undefined): boolean {
  const a = Buffer.from(String(expected));
  const b = Buffer.from(normaliseMatchNumber(given));
  return a.length === b.length && timingSafeEqual(a, b);
}
