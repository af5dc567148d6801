import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { base32Encode } from './base32.js';

/** HOTP (RFC 4226) and TOTP (RFC 6238), pure functions. */

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpParameters {
  /** Code length, 6 or 8 (RFC 4226 §5.3 allows 6..8). */
  readonly digits: number;
  /** Time step in seconds (RFC 6238 §4.1 X, default 30). */
  readonly period: number;
  readonly algorithm: TotpAlgorithm;
}

export interface TotpTime {
  /** Unix time in seconds (RFC 6238 §4.2 T); now by default. */
  readonly time?: number;
}

export const DEFAULT_TOTP: TotpParameters = { digits: 6, period: 30, algorithm: 'SHA1' };

const NODE_HASH: Record<TotpAlgorithm, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

/**
 * RFC 4226 §5.3: HMAC over the 8-byte big-endian counter, dynamic truncation, modulo 10^digits.
 * `secret` may be a KeyObject prepared once for several counters (a Buffer makes Node build one per call).
 */
export function generateHotp(secret: Buffer | KeyObject, counter: number, digits: number, algorithm: TotpAlgorithm): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(NODE_HASH[algorithm], secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 §4.2: T = floor((now - T0) / X) with T0 = 0. */
export function totpStep(time: number, period: number): number {
  return Math.floor(time / period);
}

function nowSeconds(): number {
  return Date.now() / 1000;
}

export function generateTotp(secret: Buffer, options: Partial<TotpParameters> & TotpTime = {}): string {
  const { digits, period, algorithm } = { ...DEFAULT_TOTP, ...options };
  return generateHotp(secret, totpStep(options.time ?? nowSeconds(), period), digits, algorithm);
}

export interface FindTotpStepOptions extends Partial<TotpParameters>, TotpTime {
  /** Steps accepted either side of the current one (RFC 6238 §5.2 clock drift), default 1. */
  readonly window?: number;
}

/**
 * The time step whose code equals `code` within ±window of now, or undefined. The current step is
 * tried first: a code typed from an app almost always matches it, and then one HMAC is computed,
 * not 2·window + 1. Otherwise every other candidate is computed (the newest match wins), so a
 * wrong code always costs the same work. Each comparison is constant-time; what the timing can
 * tell (matched now, earlier/later, or not at all) the answer itself tells the caller.
 */
export function findTotpStep(secret: Buffer, code: string, options: FindTotpStepOptions = {}): number | undefined {
  const { digits, period, algorithm } = { ...DEFAULT_TOTP, ...options };
  const window = options.window ?? 1;
  if (code.length !== digits || !/^\d+$/.test(code)) return undefined;
  const given = Buffer.from(code, 'ascii');
  // One key object for the candidates, not one per HMAC.
  const key = createSecretKey(secret);
  const matches = (step: number): boolean => step >= 0 && timingSafeEqual(Buffer.from(generateHotp(key, step, digits, algorithm), 'ascii'), given);
  const current = totpStep(options.time ?? nowSeconds(), period);
  if (matches(current)) return current;
  let found: number | undefined;
  for (let step = current - window; step <= current + window; step++) {
    // Prefer the newest matching step: replay protection compares against it.
    if (step !== current && matches(step)) found = step;
  }
  return found;
}

/** 20 random bytes: the RFC 4226 §4 recommended (160-bit) shared secret length. */
export function generateTotpSecret(): Buffer {
  return randomBytes(20);
}

export interface OtpauthUriOptions extends Partial<TotpParameters> {
  readonly issuer: string;
  readonly account: string;
  readonly secret: Buffer;
}

/** The Key Uri Format authenticator apps scan: otpauth://totp/Issuer:account?secret=...&issuer=... */
export function otpauthUri(options: OtpauthUriOptions): string {
  const { digits, period, algorithm } = { ...DEFAULT_TOTP, ...options };
  const label = `${encodeURIComponent(options.issuer)}:${encodeURIComponent(options.account)}`;
  const query = new URLSearchParams({
    secret: base32Encode(options.secret),
    issuer: options.issuer,
    algorithm,
    digits: String(digits),
    period: String(period),
  });
  // URLSearchParams encodes spaces as '+', which some apps show literally; %20 is read by all.
  return `otpauth://totp/${label}?${query.toString().replace(/\+/g, '%20')}`;
}
