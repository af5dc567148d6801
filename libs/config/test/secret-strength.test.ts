// Guessable secrets are refused by name (key, why, the command that makes a good one) and never
// echoed; random values from the generators the fixes name are never refused. Secrets another
// system issues (LDAP password, Entra client secret, ntfy token) are refused only as placeholders.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigProblem, parseConfig } from '@radius-mfa/config';
import { sealingKeyWeakness, textSecretWeakness } from '../src/secret-strength.js';
import { problemAt, problemsOf } from './problems-of.js';

const GOOD_KEY = randomBytes(32).toString('base64');
const GOOD_SECRET = randomBytes(24).toString('base64');
const GOOD_TOKEN = randomBytes(32).toString('hex');

function yaml({ keys = [GOOD_KEY], token = GOOD_TOKEN, secret = GOOD_SECRET, upstream }: { keys?: string[]; token?: string; secret?: string; upstream?: string } = {}): string {
  return [
    'redis: { url: "redis://127.0.0.1:6379" }',
    `security: { sealingKeys: [${keys.map((key, i) => `{ id: k${i}, key: "${key}" }`).join(', ')}] }`,
    `api: { adminToken: "${token}" }`,
    `clients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "${secret}"${upstream ? ', firstFactor: radius' : ''} }`,
    upstream ? `directories:\n  radius: { servers: ["udp://192.0.2.1:1812"], secret: "${upstream}" }` : '',
  ].join('\n');
}

/** The problem at `path`, checked never to contain the secret that caused it. */
function refused(text: string, path: string, secret: string) {
  const problems = problemsOf(text);
  expect(JSON.stringify(problems)).not.toContain(secret);
  return problemAt(problems, path);
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

describe('sealing key strength', () => {
  it('accepts a config of random secrets with no warning', () => {
    expect(parseConfig(yaml(), { env: {} }).warnings).toEqual([]);
  });

  const weakKeys: [string, Uint8Array, RegExp][] = [
    ['all zero (the old .env.example key)', Buffer.alloc(32), /distinct byte values/],
    ['one byte value', Buffer.alloc(32, 0xa5), /distinct byte values/],
    ['a 4-byte pattern repeated', Buffer.from('deadbeef'.repeat(8), 'hex'), /distinct byte values/],
    ['15 distinct values', Uint8Array.from({ length: 32 }, (_, i) => (i * 7) % 15), /distinct byte values/],
    ['a passphrase', Buffer.from('The quick brown fox jumps over 1'), /printable text/],
    ['counting up', Uint8Array.from({ length: 32 }, (_, i) => i), /counting sequence/],
    ['counting by 3 from 250, wrapping', Uint8Array.from({ length: 32 }, (_, i) => (250 + 3 * i) % 256), /counting sequence/],
  ];

  it.each(weakKeys)('refuses a first key that is %s, naming the command', (_name, bytes, why) => {
    const key = b64(bytes);
    expect(bytes).toHaveLength(32);
    const problem = refused(yaml({ keys: [key] }), 'security.sealingKeys[0].key', key);
    expect(problem.message).toMatch(why);
    expect(problem.fix).toContain('openssl rand -base64 32');
  });

  it('only warns for an older key that opens what it sealed, so rotating away from it stays possible', () => {
    const old = b64(Buffer.alloc(32));
    const { warnings } = parseConfig(yaml({ keys: [GOOD_KEY, old] }), { env: {} });
    expect(warnings.map((w) => w.path)).toEqual(['security.sealingKeys[1].key']);
    expect(warnings[0]!.fix).toMatch(/re-enrolled/);
    expect(JSON.stringify(warnings)).not.toContain(old);
  });

  it('a key of the wrong length gets the length problem only', () => {
    const problems = problemsOf(yaml({ keys: [b64(Buffer.alloc(16))] }));
    expect(problems.filter((p) => p.path === 'security.sealingKeys[0].key').map((p) => p.message)).toEqual([expect.stringMatching(/exactly 32 bytes/)]);
  });

  it('never refuses uniformly random keys', () => {
    fc.assert(
      fc.property(fc.noBias(fc.uint8Array({ minLength: 32, maxLength: 32 })), (key) => sealingKeyWeakness(key) === undefined),
      { numRuns: 20_000 },
    );
  });

  it('never refuses keys from the CSPRNG, through the whole config', () => {
    for (let i = 0; i < 200; i++) parseConfig(yaml({ keys: [randomBytes(32).toString('base64')] }), { env: {} });
  });
});

describe('placeholder secrets', () => {
  const OLD_EXAMPLE_TOKEN = 'replace-me-with-the-output-of-openssl-rand-hex-32';
  const weakTokens: [string, string][] = [
    ['the old .env.example token', OLD_EXAMPLE_TOKEN],
    ['changeme, padded', 'CHANGEME-changeme-ChangeMe-CHANGE_ME'],
    ['one character repeated', 'x'.repeat(40)],
    ['a short unit repeated', 'abc1'.repeat(10)],
    ['a run of consecutive characters', String.fromCharCode(...Array.from({ length: 32 }, (_, i) => 0x30 + i))],
  ];

  it.each(weakTokens)('refuses api.adminToken that is %s', (_name, token) => {
    const problem = refused(yaml({ token }), 'api.adminToken', token);
    expect(problem.fix).toContain('openssl rand -hex 32');
  });

  const weakSecrets: [string, string][] = [
    ["FreeRADIUS's default", 'testing123'],
    ['the old .env.example secret', 'change-me-radius-secret'],
    ['a placeholder in capitals', 'REPLACE_ME_PLEASE'],
    ['a common password', 'Password'],
    ['one character repeated', '00000000'],
    ['digits counting up', '123456789'],
    ['digits counting down', '98765432'],
  ];

  it.each(weakSecrets)('refuses a client secret that is %s', (_name, secret) => {
    const problem = refused(yaml({ secret }), 'clients[0].secret', secret);
    expect(problem.fix).toMatch(/openssl rand -base64 24.*NAS/);
  });

  it('refuses a placeholder upstream RADIUS secret', () => {
    const problem = refused(yaml({ upstream: 'testing123' }), 'directories.radius.secret', 'testing123');
    expect(problem.fix).toMatch(/upstream/);
  });

  it('lists every weak secret at once, each by its key', () => {
    let error: unknown;
    try {
      parseConfig(yaml({ keys: [b64(Buffer.alloc(32))], token: OLD_EXAMPLE_TOKEN, secret: 'change-me-radius-secret', upstream: 'testing123' }), { env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.path).sort()).toEqual(['api.adminToken', 'clients[0].secret', 'directories.radius.secret', 'security.sealingKeys[0].key']);
  });

  it('accepts secrets that merely contain a common word among random characters', () => {
    expect(textSecretWeakness(`testing123-${GOOD_SECRET}`)).toBeUndefined();
    expect(textSecretWeakness('a-long-random-shared-secret')).toBeUndefined();
  });

  it('never refuses random tokens and secrets of the generated forms', () => {
    const hex = fc.noBias(fc.uint8Array({ minLength: 32, maxLength: 32 })).map((b) => Buffer.from(b).toString('hex'));
    const base64 = fc.noBias(fc.uint8Array({ minLength: 24, maxLength: 24 })).map((b) => Buffer.from(b).toString('base64'));
    fc.assert(fc.property(hex, base64, (token, secret) => textSecretWeakness(token) === undefined && textSecretWeakness(secret) === undefined), { numRuns: 20_000 });
  });
});

/** The secrets beyond sealing keys, tokens and RADIUS secrets, each set to a random value unless given. */
interface OtherSecrets {
  redisPassword: string;
  sentinelPassword: string;
  pushSigningSecret: string;
  ntfyToken: string;
  smsSigningSecret: string;
  callbackSecret: string;
  bindPassword: string;
  entraClientSecret: string;
}

const ENTRA_SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-';
const NTFY_TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const pick = (alphabet: string, length: number): string => Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');

function randomOthers(): OtherSecrets {
  return {
    redisPassword: randomBytes(32).toString('hex'),
    sentinelPassword: randomBytes(32).toString('hex'),
    pushSigningSecret: randomBytes(32).toString('base64'),
    ntfyToken: `tk_${pick(NTFY_TOKEN_ALPHABET, 29)}`,
    smsSigningSecret: randomBytes(32).toString('base64'),
    callbackSecret: randomBytes(32).toString('base64'),
    bindPassword: randomBytes(24).toString('base64'),
    entraClientSecret: pick(ENTRA_SECRET_ALPHABET, 40),
  };
}

/** A config holding every one of these secrets; the push notifier is a webhook or ntfy. */
function everySecret(given: Partial<OtherSecrets> = {}, notifier: 'webhook' | 'ntfy' = 'webhook'): string {
  const s = { ...randomOthers(), ...given };
  // Quoted as YAML, with `$${` so a `${` in a secret stays literal rather than naming a variable.
  const q = (value: string): string => JSON.stringify(value.replaceAll('${', () => '$${'));
  const push = notifier === 'webhook' ? `{ type: webhook, url: "https://push.example.com/rmfa", signingSecret: ${q(s.pushSigningSecret)} }` : `{ type: ntfy, url: "https://ntfy.example.com", token: ${q(s.ntfyToken)} }`;
  return [
    `redis: { url: ${q(`redis://:${encodeURIComponent(s.redisPassword)}@127.0.0.1:6379`)}, sentinel: { name: m, sentinels: ["127.0.0.1:26379"], password: ${q(s.sentinelPassword)} } }`,
    `security: { sealingKeys: [{ id: k1, key: "${GOOD_KEY}" }] }`,
    `clients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "${GOOD_SECRET}", firstFactor: ldap }`,
    'directories:',
    `  ldap: { url: "ldap://127.0.0.1:389", bindDn: "cn=svc", bindPassword: ${q(s.bindPassword)}, userSearch: { base: "dc=x", filter: "(uid={user})" } }`,
    `  entra: { tenantId: t, clientId: c, clientSecret: ${q(s.entraClientSecret)}, acsEndpoint: "https://acs.example.com" }`,
    'mfa:',
    `  push: { notifier: ${push} }`,
    `  sms: { sender: { type: webhook, url: "https://sms.example.com/rmfa", signingSecret: ${q(s.smsSigningSecret)} } }`,
    `  voice: { sender: { type: acs, from: "+18005550100", callbackSecret: ${q(s.callbackSecret)}, promptUrl: "https://cdn.example.com/p.wav" } }`,
  ].join('\n');
}

describe('every other secret', () => {
  it('accepts random values everywhere with no warning, with either push notifier', () => {
    expect(parseConfig(everySecret(), { env: {} }).warnings).toEqual([]);
    expect(parseConfig(everySecret({}, 'ntfy'), { env: {} }).warnings).toEqual([]);
  });

  // [key, what is set, the value, push notifier, what the fix says]
  const refusedSecrets: [string, keyof OtherSecrets, string, 'webhook' | 'ntfy', RegExp][] = [
    ['redis.url', 'redisPassword', 'change-me-redis-password', 'webhook', /openssl rand -hex 32/],
    ['redis.url', 'redisPassword', 'foobared', 'webhook', /openssl rand -hex 32/],
    ['redis.sentinel.password', 'sentinelPassword', 'Password', 'webhook', /openssl rand -hex 32/],
    ['mfa.push.notifier.signingSecret', 'pushSigningSecret', 'replace-me-with-a-signing-secret', 'webhook', /openssl rand -base64 32.*push receiver/],
    ['mfa.sms.sender.signingSecret', 'smsSigningSecret', 'abcdefghijklmnopqrstuvwxyz', 'webhook', /openssl rand -base64 32.*SMS gateway/],
    ['mfa.voice.sender.callbackSecret', 'callbackSecret', 'your-secret-here-your-secret-here', 'webhook', /openssl rand -base64 32.*every worker/],
    ['mfa.voice.sender.callbackSecret', 'callbackSecret', 'ab12'.repeat(8), 'webhook', /openssl rand -base64 32/],
    ['mfa.push.notifier.token', 'ntfyToken', '<ntfy-token>', 'ntfy', /ntfy token add/],
    ['mfa.push.notifier.token', 'ntfyToken', 'CHANGEME', 'ntfy', /ntfy token add/],
    ['directories.ldap.bindPassword', 'bindPassword', 'change-me', 'webhook', /service account's password/],
    ['directories.ldap.bindPassword', 'bindPassword', 'xxxxxxx', 'webhook', /service account's password/],
    ['directories.ldap.bindPassword', 'bindPassword', '{{ ldap_bind_password }}', 'webhook', /service account's password/],
    ['directories.entra.clientSecret', 'entraClientSecret', '.....', 'webhook', /app registration/],
    ['directories.entra.clientSecret', 'entraClientSecret', 'xxxxxxxx~xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'webhook', /app registration/],
    ['directories.entra.clientSecret', 'entraClientSecret', 'tbd', 'webhook', /app registration/],
  ];

  it.each(refusedSecrets)('refuses %s set to %s "%s", naming the key and the fix, never the value', (path, key, value, notifier, fix) => {
    const problem = refused(everySecret({ [key]: value }, notifier), path, value);
    expect(problem.fix).toMatch(fix);
    expect(formatConfigProblem(problem)).toMatch(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: (is|has a password that is) `));
  });

  it('checks a voice webhook\'s signingSecret as an SMS one: random passes, a pattern is refused', () => {
    const voiceWebhook = (secret: string) =>
      everySecret().replace(/^ {2}voice: .*$/m, () => `  voice: { sender: { type: webhook, url: "https://voice.example.com/rmfa", signingSecret: ${JSON.stringify(secret)} } }`);
    expect(parseConfig(voiceWebhook(randomBytes(32).toString('base64')), { env: {} }).warnings).toEqual([]);
    const problem = refused(voiceWebhook('abcdefghijklmnopqrstuvwxyz'), 'mfa.voice.sender.signingSecret', 'abcdefghijklmnopqrstuvwxyz');
    expect(problem.fix).toMatch(/openssl rand -base64 32.*voice gateway/);
  });

  // A weak-looking password we did not choose may be the directory's real one: warn, never refuse.
  const warnedSecrets: [string, keyof OtherSecrets, string, 'webhook' | 'ntfy'][] = [
    ['directories.ldap.bindPassword', 'bindPassword', 'Passw0rd', 'webhook'],
    ['directories.ldap.bindPassword', 'bindPassword', '987654321', 'webhook'],
    ['directories.entra.clientSecret', 'entraClientSecret', 'qwerty', 'webhook'],
    ['mfa.push.notifier.token', 'ntfyToken', 'abababab', 'ntfy'],
  ];

  it.each(warnedSecrets)('only warns for an issued %s that is guessable (%s "%s")', (path, key, value, notifier) => {
    const { warnings } = parseConfig(everySecret({ [key]: value }, notifier), { env: {} });
    expect(warnings.map((w) => w.path)).toEqual([path]);
    expect(warnings[0]!.message).toMatch(/only a warning/);
    expect(JSON.stringify(warnings)).not.toContain(value);
  });

  it('lists every weak one at once', () => {
    const weak = { redisPassword: 'foobared', sentinelPassword: 'foobared', pushSigningSecret: 'changeme-changeme', smsSigningSecret: 'x'.repeat(16), callbackSecret: '0'.repeat(32), bindPassword: '<password>', entraClientSecret: '...' };
    const problems = problemsOf(everySecret(weak));
    expect(problems.map((p) => p.path).sort()).toEqual([
      'directories.entra.clientSecret',
      'directories.ldap.bindPassword',
      'mfa.push.notifier.signingSecret',
      'mfa.sms.sender.signingSecret',
      'mfa.voice.sender.callbackSecret',
      'redis.sentinel.password',
      'redis.url',
    ]);
  });

  it('never refuses random values of the forms each secret comes in, through the whole config', () => {
    const base64 = fc.noBias(fc.uint8Array({ minLength: 32, maxLength: 32 })).map(b64);
    const hex = fc.noBias(fc.uint8Array({ minLength: 32, maxLength: 32 })).map((b) => Buffer.from(b).toString('hex'));
    const from = (alphabet: string, length: number) => fc.noBias(fc.array(fc.constantFrom(...alphabet), { minLength: length, maxLength: length })).map((chars) => chars.join(''));
    const typed = fc.noBias(fc.string({ unit: 'grapheme-ascii', minLength: 16, maxLength: 40 }));
    const others = fc.record({
      redisPassword: hex,
      sentinelPassword: hex,
      pushSigningSecret: base64,
      ntfyToken: from(NTFY_TOKEN_ALPHABET, 29).map((t) => `tk_${t}`),
      smsSigningSecret: base64,
      callbackSecret: base64,
      bindPassword: typed,
      entraClientSecret: from(ENTRA_SECRET_ALPHABET, 40),
    });
    fc.assert(
      fc.property(others, fc.constantFrom('webhook' as const, 'ntfy' as const), (secrets, notifier) => {
        expect(parseConfig(everySecret(secrets, notifier), { env: {} }).warnings).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never flags random typed passwords or issued secrets (rule level, many runs)', () => {
    const typed = fc.noBias(fc.string({ unit: 'grapheme-ascii', minLength: 16, maxLength: 64 }));
    const entra = fc.noBias(fc.array(fc.constantFrom(...ENTRA_SECRET_ALPHABET), { minLength: 40, maxLength: 40 })).map((c) => c.join(''));
    fc.assert(fc.property(typed, entra, (password, secret) => textSecretWeakness(password) === undefined && textSecretWeakness(secret) === undefined), { numRuns: 20_000 });
  });
});
