import argon2 from 'argon2';
import { beforeAll, describe, expect, it } from 'vitest';
import { DirectoryError, FIXED_DUMMY_HASH, LocalProvider, normalizeUserName, type PasswordVerifier } from '@radius-mfa/directory';

// Cheap hashes keep the suite fast; the provider reads the cost from each hash.
const cheap = { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 } as const;
const rules = { stripDomain: true, stripRealm: true, lowercase: true };
const signal = (): AbortSignal => AbortSignal.timeout(20_000);

describe('LocalProvider', () => {
  let aliceHash: string;
  let bobHash: string;

  beforeAll(async () => {
    aliceHash = await argon2.hash('correct horse', cheap);
    bobHash = await argon2.hash('battery staple', cheap);
  });

  function counting(): { verify: PasswordVerifier; calls: { hash: string }[] } {
    const calls: { hash: string }[] = [];
    return {
      calls,
      verify: async (hash, password) => {
        calls.push({ hash });
        return argon2.verify(hash, password);
      },
    };
  }

  function provider(verify?: PasswordVerifier): LocalProvider {
    return new LocalProvider({
      users: [
        { name: 'Alice', passwordHash: aliceHash, groups: ['vpn'] },
        { name: 'bob', passwordHash: bobHash },
      ],
      normalize: (name) => normalizeUserName(name, rules),
      ...(verify ? { verifyPassword: verify } : {}),
    });
  }

  it('accepts a known user with the right password, with groups', async () => {
    const result = await provider().authenticate({ user: 'alice', password: Buffer.from('correct horse') }, { signal: signal() });
    expect(result).toEqual({ outcome: 'accept', groups: ['vpn'], replyAttributes: [] });
  });

  it('rejects a known user with a wrong password', async () => {
    const result = await provider().authenticate({ user: 'alice', password: Buffer.from('battery staple') }, { signal: signal() });
    expect(result).toEqual({ outcome: 'reject', reason: 'wrong password' });
  });

  it('rejects an unknown user after the same argon2 work as a known one', async () => {
    const known = counting();
    await provider(known.verify).authenticate({ user: 'alice', password: Buffer.from('nope') }, { signal: signal() });
    const unknown = counting();
    const result = await provider(unknown.verify).authenticate({ user: 'mallory', password: Buffer.from('nope') }, { signal: signal() });
    expect(result).toEqual({ outcome: 'reject', reason: 'unknown user' });
    expect(unknown.calls).toHaveLength(known.calls.length);
    expect(unknown.calls).toHaveLength(1);
    // The dummy is not any user's hash, and it costs what the configured hashes cost.
    const dummy = unknown.calls[0]!.hash;
    expect([aliceHash, bobHash]).not.toContain(dummy);
    expect(dummy).toMatch(/^\$argon2id\$v=19\$m=1024,(p=1,t=1|t=1,p=1)\$/);
  });

  it('uses the fixed dummy hash when users have the default cost', async () => {
    const defaultCostHash = '$argon2id$v=19$m=65536,p=4,t=3$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY';
    const { verify, calls } = counting();
    const local = new LocalProvider({ users: [{ name: 'carol', passwordHash: defaultCostHash }], verifyPassword: verify });
    await local.authenticate({ user: 'dave', password: Buffer.from('x') }, { signal: signal() });
    expect(calls.map((call) => call.hash)).toEqual([FIXED_DUMMY_HASH]);
  });

  it('matches names written in the config in another form after normalisation', async () => {
    const local = new LocalProvider({
      users: [{ name: 'CONTOSO\\Alice', passwordHash: aliceHash }],
      normalize: (name) => normalizeUserName(name, rules),
    });
    const incoming = normalizeUserName('alice@contoso.com', rules);
    expect(incoming).toBe('alice');
    const result = await local.authenticate({ user: incoming, password: Buffer.from('correct horse') }, { signal: signal() });
    expect(result.outcome).toBe('accept');
  });

  it('rejects a request without a PAP password (CHAP cannot be checked against argon2)', async () => {
    const result = await provider().authenticate(
      { user: 'alice', chap: { id: 1, response: Buffer.alloc(16), challenge: Buffer.alloc(16) } },
      { signal: signal() },
    );
    expect(result.outcome).toBe('reject');
  });

  it('reports groups without a password, [] for unknown users', async () => {
    expect(await provider().groupsOf('alice')).toEqual(['vpn']);
    expect(await provider().groupsOf('nobody')).toEqual([]);
  });

  it('refuses a configuration with a hash that is not argon2id, or a duplicate name', () => {
    expect(() => new LocalProvider({ users: [{ name: 'x', passwordHash: '$2b$10$abcdefghijklmnopqrstuv' }] })).toThrow(DirectoryError);
    try {
      new LocalProvider({
        users: [
          { name: 'Alice', passwordHash: aliceHash },
          { name: 'alice', passwordHash: bobHash },
        ],
        normalize: (name) => name.toLowerCase(),
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DirectoryError);
      expect((error as DirectoryError).code).toBe('config');
      expect((error as DirectoryError).message).toContain('listed twice');
    }
  });
});
