import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, createSealer, createUserStore, generateTotp, verifyTotp, type UserStore } from '@radius-mfa/mfa';
import { useRedisSuite } from './redis-suite.js';

const sealer = createSealer([{ id: 'k1', key: randomBytes(32) }]);
const params = { digits: 6, period: 30, window: 1, algorithm: 'SHA1' as const, maxAttempts: 3, lockoutSeconds: 300 };
const options = { ...params, sealer };

describe('verifyTotp', () => {
  const suite = useRedisSuite();
  let store: UserStore;
  beforeAll(() => {
    store = createUserStore({ redis: suite.a, keys: suite.keys, sealer, totp: { ...params, issuer: 'test' } });
  });

  async function enrolled(name: string): Promise<Buffer> {
    const { secret } = await store.enrollTotp(name, { confirmed: true });
    return base32Decode(secret);
  }

  it('accepts a code once across two workers; the second is replayed', async () => {
    const secret = await enrolled('alice');
    const now = 1_700_000_000_000;
    const code = generateTotp(secret, { time: now / 1000 });
    const [first, second] = await Promise.all([
      verifyTotp(suite.a, suite.keys, 'alice', code, { ...options, now }),
      verifyTotp(suite.b, suite.keys, 'alice', code, { ...options, now }),
    ]);
    expect([first.outcome, second.outcome].sort()).toEqual(['accepted', 'replayed']);
    expect((await verifyTotp(suite.b, suite.keys, 'alice', code, { ...options, now: now + 1000 })).outcome).toBe('replayed');
  });

  it('a retried job of the same transaction is accepted again; another transaction is replayed', async () => {
    const secret = await enrolled('retry');
    const now = 1_700_000_000_000;
    const code = generateTotp(secret, { time: now / 1000 });
    expect((await verifyTotp(suite.a, suite.keys, 'retry', code, { ...options, now, txn: 'txn-a' })).outcome).toBe('accepted');
    expect((await verifyTotp(suite.b, suite.keys, 'retry', code, { ...options, now, txn: 'txn-a' })).outcome).toBe('accepted');
    expect((await verifyTotp(suite.b, suite.keys, 'retry', code, { ...options, now, txn: 'txn-b' })).outcome).toBe('replayed');
    expect((await verifyTotp(suite.b, suite.keys, 'retry', code, { ...options, now })).outcome).toBe('replayed');
  });

  it('takes the sealed secret read with the user record; a stale one (re-enrolled since) is not-enrolled', async () => {
    const secret = await enrolled('sealed');
    const now = 1_700_000_000_000;
    const read = await store.getUserForSignIn('sealed');
    expect(read.record?.totp?.confirmed).toBe(true);
    expect(read.sealedTotpSecret).toBeDefined();
    // Sealed, never the cleartext secret.
    expect(Buffer.from(read.sealedTotpSecret!, 'base64').includes(secret)).toBe(false);
    const code = generateTotp(secret, { time: now / 1000 });
    expect((await verifyTotp(suite.a, suite.keys, 'sealed', code, { ...options, now, sealedSecret: read.sealedTotpSecret! })).outcome).toBe('accepted');

    const stale = read.sealedTotpSecret!;
    const renewed = await enrolled('sealed');
    const later = now + 60_000;
    const oldCode = generateTotp(secret, { time: later / 1000 });
    expect((await verifyTotp(suite.a, suite.keys, 'sealed', oldCode, { ...options, now: later, sealedSecret: stale })).outcome).toBe('not-enrolled');
    const fresh = await store.getUserForSignIn('sealed');
    const newCode = generateTotp(renewed, { time: later / 1000 });
    expect((await verifyTotp(suite.a, suite.keys, 'sealed', newCode, { ...options, now: later, sealedSecret: fresh.sealedTotpSecret! })).outcome).toBe('accepted');
    expect(await store.getUserForSignIn('nobody-here')).toEqual({ record: undefined, sealedTotpSecret: undefined });
  });

  it('refuses an older step after a newer one was accepted', async () => {
    const secret = await enrolled('bob');
    const now = 1_700_000_000_000;
    const newer = generateTotp(secret, { time: now / 1000 });
    const older = generateTotp(secret, { time: now / 1000 - 30 });
    const accepted = await verifyTotp(suite.a, suite.keys, 'bob', newer, { ...options, now });
    expect(accepted.outcome).toBe('accepted');
    expect(accepted.step).toBe(Math.floor(now / 30_000));
    if (older !== newer) expect((await verifyTotp(suite.b, suite.keys, 'bob', older, { ...options, now })).outcome).toBe('replayed');
    const next = generateTotp(secret, { time: now / 1000 + 30 });
    const spaced = `${next.slice(0, 3)} ${next.slice(3)}`;
    expect((await verifyTotp(suite.b, suite.keys, 'bob', spaced, { ...options, now: now + 30_000 })).outcome).toBe('accepted');
  });

  it('locks out after maxAttempts failures, until unlock', async () => {
    const secret = await enrolled('carol');
    const now = 1_700_000_000_000;
    const good = generateTotp(secret, { time: now / 1000 });
    const bad = good === '000000' ? '111111' : '000000';
    expect((await verifyTotp(suite.a, suite.keys, 'carol', bad, { ...options, now })).outcome).toBe('invalid');
    expect((await verifyTotp(suite.b, suite.keys, 'carol', bad, { ...options, now })).outcome).toBe('invalid');
    const third = await verifyTotp(suite.a, suite.keys, 'carol', bad, { ...options, now });
    expect(third).toEqual({ outcome: 'invalid', lockedUntil: now + 300_000 });
    const locked = await verifyTotp(suite.a, suite.keys, 'carol', good, { ...options, now: now + 1000 });
    expect(locked.outcome).toBe('locked');
    // The lockout runs out by itself...
    const later = now + 301_000;
    const fresh = generateTotp(secret, { time: later / 1000 });
    expect((await verifyTotp(suite.a, suite.keys, 'carol', fresh, { ...options, now: later })).outcome).toBe('accepted');
    // ...or an admin unlocks.
    for (let i = 0; i < 3; i++) await verifyTotp(suite.a, suite.keys, 'carol', 'abcdef', { ...options, now: later });
    expect((await verifyTotp(suite.a, suite.keys, 'carol', fresh, { ...options, now: later + 30_000 })).outcome).toBe('locked');
    await store.unlock('carol');
    const afterUnlock = generateTotp(secret, { time: later / 1000 + 30 });
    expect((await verifyTotp(suite.a, suite.keys, 'carol', afterUnlock, { ...options, now: later + 30_000 })).outcome).toBe('accepted');
  });

  it('a success resets the failure count', async () => {
    const secret = await enrolled('erin');
    let now = 1_700_000_000_000;
    for (let round = 0; round < 3; round++) {
      await verifyTotp(suite.a, suite.keys, 'erin', 'abcdef', { ...options, now });
      await verifyTotp(suite.a, suite.keys, 'erin', 'abcdef', { ...options, now });
      const code = generateTotp(secret, { time: now / 1000 });
      expect((await verifyTotp(suite.a, suite.keys, 'erin', code, { ...options, now })).outcome).toBe('accepted');
      now += 30_000;
    }
  });

  it('not enrolled, unconfirmed, fraud-locked', async () => {
    expect((await verifyTotp(suite.a, suite.keys, 'nobody', '123456', options)).outcome).toBe('not-enrolled');
    const { secret } = await store.enrollTotp('dave');
    const code = generateTotp(base32Decode(secret));
    expect((await verifyTotp(suite.a, suite.keys, 'dave', code, options)).outcome).toBe('not-enrolled');
    expect((await verifyTotp(suite.a, suite.keys, 'dave', code, { ...options, allowUnconfirmed: true })).outcome).toBe('accepted');
    await store.lockForFraud('dave');
    const now = Date.now() + 60_000;
    const next = generateTotp(base32Decode(secret), { time: now / 1000 });
    expect((await verifyTotp(suite.a, suite.keys, 'dave', next, { ...options, allowUnconfirmed: true, now })).outcome).toBe('locked');
  });
});
