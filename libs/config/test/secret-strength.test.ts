// Guessable secrets are refused by name (key, why, the command that makes a good one) and never
// echoed; random values from the generators the fixes name are never refused.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@radius-mfa/config';
import { placeholderSecretWeakness, sealingKeyWeakness } from '../src/secret-strength.js';
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
    expect(placeholderSecretWeakness(`testing123-${GOOD_SECRET}`)).toBeUndefined();
    expect(placeholderSecretWeakness('a-long-random-shared-secret')).toBeUndefined();
  });

  it('never refuses random tokens and secrets of the generated forms', () => {
    const hex = fc.noBias(fc.uint8Array({ minLength: 32, maxLength: 32 })).map((b) => Buffer.from(b).toString('hex'));
    const base64 = fc.noBias(fc.uint8Array({ minLength: 24, maxLength: 24 })).map((b) => Buffer.from(b).toString('base64'));
    fc.assert(fc.property(hex, base64, (token, secret) => placeholderSecretWeakness(token) === undefined && placeholderSecretWeakness(secret) === undefined), { numRuns: 20_000 });
  });
});
