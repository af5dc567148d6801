// Secrets a deployment chooses itself (sealing keys, tokens, shared and signing secrets, the Redis
// password) must not be a value someone else can know: an example's placeholder, all-zero bytes, a
// typed phrase. Secrets another system issues (LDAP password, Entra client secret, ntfy token) are
// refused only as placeholders. A random value at the lengths the fixes generate trips a rule with
// probability below 1e-10 (base64 spelling an example word such as "changeme" by chance; hex never).
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
  signingKey: 'openssl rand -base64 32',
  redisPassword: 'openssl rand -hex 32',
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
const PLACEHOLDER_WORDS = ['changeme', 'changethis', 'replaceme', 'placeholder', 'yoursecret', 'yourtoken', 'yourpassword', 'insertsecret'];

/** Whole values that mean "nothing was filled in": a template that rendered a missing value, a note to self. */
const PLACEHOLDER_VALUES = new Set(['todo', 'tbd', 'fixme', 'null', 'undefined', 'none', 'redacted']);

/** Only masking characters (`xxxx`, `...`, `****`, `xxxx-xxxx`), or a template such as `<password>` or `{{ token }}`. */
const MASK_OR_TEMPLATE = /^[xX*.…?#~_\s-]+$|^<[\w .-]*>$|^\{\{[\w .-]*\}\}$/;

/** Published defaults: FreeRADIUS's `testing123`, redis.conf's `foobared`, and the first words anyone tries. */
const KNOWN_DEFAULTS = new Set(['testing123', 'foobared', 'password', 'passw0rd', 'secret', 'sharedsecret', 'radius', 'radiussecret', 'admin', 'administrator', 'letmein', 'qwerty', 'qwertyuiop', 'default']);

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

/**
 * `placeholder`: nobody's real secret (an example's "change me", masking `xxxx`, an unrendered
 * template); `guessable`: may be someone's real value, but one attackers try first.
 */
export interface SecretWeakness {
  readonly kind: 'placeholder' | 'guessable';
  /** Never contains the value. */
  readonly reason: string;
}

/** Why a text secret is guessable, or undefined. */
export function textSecretWeakness(value: string): SecretWeakness | undefined {
  const folded = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (PLACEHOLDER_WORDS.some((word) => folded.includes(word))) return { kind: 'placeholder', reason: 'is a placeholder from an example ("change me", "replace me"): anyone who has read the example knows it' };
  if (MASK_OR_TEMPLATE.test(value) || PLACEHOLDER_VALUES.has(folded)) return { kind: 'placeholder', reason: 'is a placeholder (masking like "xxxx" or "...", a template like "<password>", or "TODO"), not a real secret' };
  if (KNOWN_DEFAULTS.has(folded)) return { kind: 'guessable', reason: 'is a well-known default value that attackers try first' };
  if (isRepeatedUnit(value)) return { kind: 'guessable', reason: `is a pattern of at most ${MAX_REPEATED_UNIT} characters repeated` };
  if (isConsecutiveRun(value)) return { kind: 'guessable', reason: 'is a run of consecutive characters (like 12345678 or abcdefgh)' };
  return undefined;
}

/** Strict base64: Buffer.from skips bad characters silently, so re-encode and compare. */
export function decodeSealingKey(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  const canonical = bytes.toString('base64');
  if (bytes.length !== SEALING_KEY_BYTES || canonical.replace(/=+$/, '') !== text.replace(/=+$/, '')) return undefined;
  return bytes;
}

/** The password in a `redis://user:password@host` URL, if any. */
function urlPassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined; // not a URL: the schema says so
  }
}

/** A text secret to check, and what to do about a weak one. */
interface TextSecret {
  readonly path: readonly (string | number)[];
  readonly value: string | undefined;
  /** For a secret inside a larger value (a URL): what the reason is about. */
  readonly within?: string;
  /** How to replace a placeholder, or any weak secret this deployment chose. */
  readonly fix: string;
  /**
   * Set for a secret another system issues (a directory's password, an Entra client secret): a
   * guessable one may be the real value, so it is a warning, with this fix; a placeholder is refused.
   */
  readonly issued?: { readonly by: string; readonly fix: string };
}

/** A webhook endpoint's signingSecret (push notifier, SMS or voice sender); other endpoint types have none. */
function webhookSigningSecret(path: readonly string[], endpoint: { readonly type: string; readonly signingSecret?: string } | undefined, receiver: string): TextSecret[] {
  if (endpoint?.type !== 'webhook') return [];
  return [{ path: [...path, 'signingSecret'], value: endpoint.signingSecret, fix: `generate one with \`${GENERATE.signingKey}\` and set the same on the ${receiver}` }];
}

/** Every text secret: chosen by this deployment (refused when weak) or issued elsewhere (only placeholders refused). */
function textSecrets(config: Config): TextSecret[] {
  const { redis, api, clients, directories, mfa } = config;
  const push = mfa.push?.notifier;
  const sms = mfa.sms?.sender;
  const voice = mfa.voice?.sender;
  return [
    { path: ['redis', 'url'], value: urlPassword(redis.url), within: 'has a password that', fix: `give Redis a random password (\`${GENERATE.redisPassword}\`: hex needs no escaping in a URL) and take the URL from the environment` },
    { path: ['redis', 'sentinel', 'password'], value: redis.sentinel?.password, fix: `give the sentinels a random password (\`${GENERATE.redisPassword}\`) and set the same here` },
    { path: ['api', 'adminToken'], value: api.adminToken, fix: `generate one with \`${GENERATE.adminToken}\`, or leave it unset to disable the admin API` },
    ...clients.map((client, i): TextSecret => ({ path: ['clients', i, 'secret'], value: client.secret, fix: `generate one with \`${GENERATE.sharedSecret}\` and set the same on the NAS` })),
    { path: ['directories', 'radius', 'secret'], value: directories.radius?.secret, fix: `generate one with \`${GENERATE.sharedSecret}\` and set the same on the upstream RADIUS servers` },
    {
      path: ['directories', 'ldap', 'bindPassword'],
      value: directories.ldap?.bindPassword,
      fix: "set the service account's password, from the environment (`bindPassword: ${LDAP_BIND_PASSWORD}`)",
      issued: { by: 'the directory', fix: `give the service account a long random password in the directory (e.g. \`${GENERATE.sharedSecret}\`) and set it here` },
    },
    {
      path: ['directories', 'entra', 'clientSecret'],
      value: directories.entra?.clientSecret,
      fix: "set the secret's Value from the app registration (Certificates & secrets), from the environment, or use clientCertificate",
      issued: { by: 'Entra ID', fix: 'create a new client secret in the app registration, or use clientCertificate (preferred)' },
    },
    ...webhookSigningSecret(['mfa', 'push', 'notifier'], push, 'push receiver'),
    ...(push?.type === 'ntfy'
      ? [{ path: ['mfa', 'push', 'notifier', 'token'], value: push.token, fix: 'create a token on the ntfy server (`ntfy token add USER`) and set it here from the environment, or remove token', issued: { by: 'the ntfy server', fix: 'use a token the ntfy server created (`ntfy token add USER`)' } }]
      : []),
    ...webhookSigningSecret(['mfa', 'sms', 'sender'], sms, 'SMS gateway'),
    ...webhookSigningSecret(['mfa', 'voice', 'sender'], voice, 'voice gateway'),
    ...(voice?.type === 'acs' ? [{ path: ['mfa', 'voice', 'sender', 'callbackSecret'], value: voice.callbackSecret, fix: `generate one with \`${GENERATE.signingKey}\` and set the same on every worker and results-api` }] : []),
  ];
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
  for (const secret of textSecrets(config)) {
    // The schema already refused a non-text value; the check must not trip over it.
    const weakness = typeof secret.value === 'string' ? textSecretWeakness(secret.value) : undefined;
    if (!weakness) continue;
    const path = formatPath(secret.path);
    const message = secret.within ? `${secret.within} ${weakness.reason}` : weakness.reason;
    if (weakness.kind === 'placeholder' || !secret.issued) found.errors.push({ path, message, fix: secret.fix });
    else found.warnings.push({ path, message: `${message}; only a warning, as ${secret.issued.by} issues it and it may be the real value`, fix: secret.issued.fix });
  }
  return found;
}
