// `prompt: append`: the second factor travels inside User-Password, after the password.
// Forms (as the NPS extension, Duo and privacyIDEA users know them):
//   `password,123456`  a code after the last comma
//   `password,push`    a method after the last comma (push, sms, voice)
//   `password123456`   a bare suffix of exactly the configured number of TOTP digits
//   `123456`           with no first factor (`firstFactor: none`) there is no password to split
//                      from: a User-Password of 6–8 digits alone is the code

export type AppendedFactor =
  | { readonly kind: 'code'; readonly code: string }
  | { readonly kind: 'method'; readonly method: 'push' | 'sms' | 'voice' }
  | { readonly kind: 'none' };

export interface AppendedPassword {
  /** The first-factor password, bytes (never decoded to a string: it may not be UTF-8). */
  readonly password: Buffer;
  readonly factor: AppendedFactor;
}

const COMMA = 0x2c;
const CODE_MIN = 6;
const CODE_MAX = 8;

function isDigits(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  for (const byte of bytes) if (byte < 0x30 || byte > 0x39) return false;
  return true;
}

const METHOD_WORDS: ReadonlyMap<string, 'push' | 'sms' | 'voice'> = new Map([
  ['push', 'push'],
  ['sms', 'sms'],
  ['text', 'sms'],
  ['voice', 'voice'],
  ['call', 'voice'],
  ['phone', 'voice'],
]);

export interface SplitOptions {
  /** The client has no first factor (`firstFactor: none`): a bare 6–8 digit value is the code. */
  readonly passwordless?: boolean;
}

/**
 * Splits `raw` into the password and the appended factor. The comma form wins over the bare
 * suffix; a bare suffix is taken only with exactly `totpDigits` digits and a non-empty password
 * left, so a password ending in digits with no code appended goes to the first factor whole
 * unless it is longer than the code (then the first factor rejects it, as it should).
 */
export function splitAppendedPassword(raw: Buffer, totpDigits: number, options: SplitOptions = {}): AppendedPassword {
  if (options.passwordless && isDigits(raw) && raw.length >= CODE_MIN && raw.length <= CODE_MAX) {
    return { password: raw.subarray(0, 0), factor: { kind: 'code', code: raw.toString('ascii') } };
  }
  const comma = raw.lastIndexOf(COMMA);
  if (comma >= 0) {
    const tail = raw.subarray(comma + 1);
    const password = raw.subarray(0, comma);
    if (isDigits(tail) && tail.length >= CODE_MIN && tail.length <= CODE_MAX) {
      return { password, factor: { kind: 'code', code: tail.toString('ascii') } };
    }
    const method = METHOD_WORDS.get(tail.toString('utf8').trim().toLowerCase());
    if (method) return { password, factor: { kind: 'method', method } };
  }
  if (raw.length > totpDigits && isDigits(raw.subarray(raw.length - totpDigits))) {
    return {
      password: raw.subarray(0, raw.length - totpDigits),
      factor: { kind: 'code', code: raw.subarray(raw.length - totpDigits).toString('ascii') },
    };
  }
  return { password: raw, factor: { kind: 'none' } };
}
