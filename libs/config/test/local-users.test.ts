// A client whose first factor is `local` while directories.local lists no user: valid, but every
// sign-in through it is rejected, so `config check` warns and names the fix.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@radius-mfa/config';

const SEALING_KEY = randomBytes(32).toString('base64');
const SECRET = randomBytes(24).toString('base64');
// A real argon2id hash's shape; parsing never verifies it.
const HASH = '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$' + 'A'.repeat(43);

function config(firstFactor: string, users: string): string {
  return [
    'redis: { url: "redis://127.0.0.1:6379" }',
    `security: { sealingKeys: [{ id: k1, key: "${SEALING_KEY}" }] }`,
    'clients:',
    `  - { name: other, address: 192.0.2.0/24, secret: "${SECRET}" }`,
    `  - { name: vpn, address: 10.0.0.0/8, secret: "${SECRET}", firstFactor: ${firstFactor} }`,
    `directories: { local: { users: ${users} } }`,
  ].join('\n');
}

const atFirstFactor = (text: string) => parseConfig(text, { env: {} }).warnings.filter((w) => w.path.endsWith('.firstFactor'));

describe('config check: a local first factor without users', () => {
  it('warns at the client, saying every sign-in is rejected and how to add a user', () => {
    const warnings = atFirstFactor(config('local', '[]'));
    expect(warnings.map((w) => w.path)).toEqual(['clients[1].firstFactor']);
    expect(warnings[0]!.message).toMatch(/directories\.local\.users is empty: every sign-in through this client is rejected/);
    expect(warnings[0]!.fix).toContain('radius-mfa hash-password');
  });

  it('is a warning, not an error: the config is still accepted', () => {
    expect(() => parseConfig(config('local', '[]'), { env: {} })).not.toThrow();
  });

  it('is quiet once a user is listed', () => {
    expect(atFirstFactor(config('local', `[{ name: alice, passwordHash: "${HASH}" }]`))).toEqual([]);
  });

  it('is quiet for a client that does not use the local directory', () => {
    expect(atFirstFactor(config('none', '[]'))).toEqual([]);
  });
});
