// Secrets a deployment chooses itself (sealing keys, the admin token, RADIUS shared secrets) must not
// be a value someone else can know: an example file's placeholder, all-zero bytes, a typed phrase.
// A value from a random generator, at the lengths the fixes generate, trips a rule with
// probability below 1e-13.
import type { Config } from './schema.js';
import type { CheckFindings } from './cross-checks.js';
import { formatPath } from './problems.js';

export const SEALING_KEY_BYTES = 32;

/**
 * 32 random bytes show about 30 distinct values; fewer than 16 happens with probability 3e-17
 * (counted with Stirling numbers), while all-zero, repeated and short-pattern keys all fall below.
 */
const MIN_DISTINCT_KEY_BYTES = 16;

/** Commands that make a good value, named in each fix. */
export const GENERATE = {
  sealingKey: 'openssl rand -base64 32',
  adminToken: 'openssl rand -hex 32',
  sharedSecret: 'openssl rand -base64 24',
} as const;

/**
 * Why 32 bytes of key material are not random, or undefined when nothing stands out. The three
 * rules together reject a random key with probability below 2e-14 (the printable-text rule
 * dominates: (95/256)^32).
 */
export function sealingKeyWeakness(key: Uint8Array): string | undefined {
  if (new Set(key).size < MIN_DISTINCT_KEY_BYTES) {
    return `has fewer than ${MIN_DISTINCT_KEY_BYTES} distinct byte values among its ${key.length} (all zero, one value, or a short pattern repeated): not random bytes`;
  }
  if (key.every((byte) => byte >= 0x20 && byte <= 0x7e)) {
    return 'is printable text base64-encoded (a passphrase), not random bytes';
  }
  const step = (key[1]! - key[0]! + 256) % 256;
  if (key.every((byte, i) => i === 0 || (byte - key[i - 1]! + 256) % 256 === step)) {
    return 'is a counting sequence (each byte a fixed step from the last), not random bytes';
  }
  return undefined;
}

/** Words that mark a value as "fill this in" (compared without case, spaces or punctuation). */
const PLACEHOLDER_WORDS = ['changeme', 'changethis', 'replaceme', 'placeholder', 'yoursecret', 'yourtoken', 'insertsecret'];

/** Published defaults: FreeRADIUS's `testing123`, and the first words anyone tries. */
const KNOWN_DEFAULTS = new Set(['testing123', 'password', 'passw0rd', 'secret', 'sharedsecret', 'radius', 'radiussecret', 'admin', 'administrator', 'letmein', 'qwerty', 'qwertyuiop', 'default']);

/** Longest unit whose repetition counts as a pattern: `xxxx`, `abab`, `12341234`. */
const MAX_REPEATED_UNIT = 4;

function isRepeatedUnit(value: string): boolean {
  for (let unit = 1; unit <= MAX_REPEATED_UNIT && unit * 2 <= value.length; unit++) {
    if (value === value.slice(0, unit).repeat(value.length / unit)) return true;
  }
  return false;
}

function isConsecutiveRun(value: string): boolean {
  if (value.length < 2) return false;
  const step = value.charCodeAt(1) - value.charCodeAt(0);
  if (Math.abs(step) !== 1) return false;
  for (let i = 1; i < value.length; i++) if (value.charCodeAt(i) - value.charCodeAt(i - 1) !== step) return false;
  return true;
}

/** Why a text secret is guessable, or undefined. The reason never contains the value. */
export function placeholderSecretWeakness(value: string): string | undefined {
  const folded = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (PLACEHOLDER_WORDS.some((word) => folded.includes(word))) return 'is a placeholder from an example ("change me", "replace me"): anyone who has read the example knows it';
  if (KNOWN_DEFAULTS.has(folded)) return 'is a well-known default value that attackers try first';
  if (isRepeatedUnit(value)) return `is a pattern of at most ${MAX_REPEATED_UNIT} characters repeated`;
  if (isConsecutiveRun(value)) return 'is a run of consecutive characters (like 12345678 or abcdefgh)';
  return undefined;
}

/** Strict base64: Buffer.from skips bad characters silently, so re-encode and compare. */
export function decodeSealingKey(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  const canonical = bytes.toString('base64');
  if (bytes.length !== SEALING_KEY_BYTES || canonical.replace(/=+$/, '') !== text.replace(/=+$/, '')) return undefined;
  return bytes;
}

/**
 * The guessable secrets in a config. A weak sealing key that only opens (not first) is a warning:
 * refusing it would strand what it sealed; the first key seals everything new and must be strong.
 */
export function weakSecretProblems(config: Config): CheckFindings {
  const found: CheckFindings = { errors: [], warnings: [] };
  config.security.sealingKeys.forEach((entry, i) => {
    const bytes = decodeSealingKey(entry.key);
    const weakness = bytes && sealingKeyWeakness(bytes);
    if (!weakness) return;
    const path = formatPath(['security', 'sealingKeys', i, 'key']);
    if (i === 0) found.errors.push({ path, message: weakness, fix: `generate one with \`${GENERATE.sealingKey}\`; to keep opening what this key sealed, list it after the new key until every user has re-enrolled` });
    else found.warnings.push({ path, message: `${weakness}; it only opens values sealed earlier`, fix: 'remove it once every user has re-enrolled their authenticator (what it sealed stays readable to anyone who knows it)' });
  });
  const text = (path: (string | number)[], value: string | undefined, fix: string): void => {
    const weakness = typeof value === 'string' ? placeholderSecretWeakness(value) : undefined;
    if (weakness) found.errors.push({ path: formatPath(path), message: weakness, fix });
  };
  text(['api', 'adminToken'], config.api.adminToken, `generate one with \`${GENERATE.adminToken}\`, or leave it unset to disable the admin API`);
  config.clients.forEach((client, i) => text(['clients', i, 'secret'], client.secret, `generate one with \`${GENERATE.sharedSecret}\` and set the same on the NAS`));
  text(['directories', 'radius', 'secret'], config.directories.radius?.secret, `generate one with \`${GENERATE.sharedSecret}\` and set the same on the upstream RADIUS servers`);
  return found;
}
