import { describe, expect, it } from 'vitest';
import argon2 from 'argon2';
import { LocalProvider, NoneProvider } from '@radius-mfa/directory';

describe('NoneProvider', () => {
  it('accepts without a password, with no groups when it has no directory for them', async () => {
    const none = new NoneProvider();
    expect(await none.authenticate({ user: 'alice' }, { signal: AbortSignal.timeout(5_000) })).toEqual({
      outcome: 'accept',
      groups: [],
      replyAttributes: [],
    });
  });

  it('takes groups from a companion directory', async () => {
    const passwordHash = await argon2.hash('x', { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 });
    const local = new LocalProvider({ users: [{ name: 'alice', passwordHash, groups: ['rdp'] }] });
    const none = new NoneProvider({ groupsFrom: local });
    const result = await none.authenticate({ user: 'alice' }, { signal: AbortSignal.timeout(5_000) });
    expect(result).toEqual({ outcome: 'accept', groups: ['rdp'], replyAttributes: [] });
  });
});
