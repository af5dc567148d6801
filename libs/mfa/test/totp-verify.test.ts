import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { decodeDelivery, type DeliveryMessage } from '@radius-mfa/contracts';
import { base32Decode, createSealer, createUserStore, generateTotp, verifyTotp, verifyTotpAndDeliver, type LikelyTotpOutcome, type UserStore } from '@radius-mfa/mfa';
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

  describe('verifyTotpAndDeliver: the check and its verdict in one script', () => {
    const accept = Buffer.from('02'.padEnd(40, 'a'), 'hex');
    const reject = Buffer.from('03'.padEnd(40, 'b'), 'hex');
    const audit = (reason: string) => ({ at: 1, user: 'u', client: 'vpn', method: 'totp', outcome: 'accept' as const, reason });
    const signedFor: LikelyTotpOutcome[] = [];
    const delivery = (txn: string, withReject = true) => ({
      txn,
      ttlMs: 60_000,
      verdictFor: (likely: LikelyTotpOutcome) => {
        signedFor.push(likely);
        if (likely === 'accepted') return { response: accept, audit: audit('totp-accepted') };
        return withReject ? { response: reject, audit: audit('totp-invalid') } : undefined;
      },
    });
    // Lua calls included: INFO commandstats counts the commands a script runs.
    const calls = async (command: string): Promise<number> => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await suite.a.info('commandstats'))?.[1] ?? 0);
    const reasons = async (): Promise<string[]> => (await suite.a.xrange(suite.keys.audit(), '-', '+')).map(([, f]) => f[f.indexOf('reason') + 1]!);

    it('delivers the Accept to the waiting ingress with one audit entry; a retry of the transaction checks nothing', async () => {
      const secret = await enrolled('dlv');
      const now = 1_700_000_000_000;
      const code = generateTotp(secret, { time: now / 1000 });
      const subscriber = new Redis(suite.server.url);
      const got: DeliveryMessage[] = [];
      subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => got.push(decodeDelivery(message)));
      await subscriber.subscribe(suite.keys.ingressChannel('ing'));
      try {
        // An ingress waits on the transaction (as admitTransaction leaves it).
        await suite.a.sadd(suite.keys.txnWaiters('d1'), 'ing');
        const before = (await reasons()).length;
        const [hgets, hdels] = [await calls('hget'), await calls('hdel')];
        signedFor.length = 0;
        const first = await verifyTotpAndDeliver(suite.a, suite.keys, 'dlv', code, { ...options, now, txn: 'd1:1', delivery: delivery('d1') });
        expect(first).toMatchObject({ status: 'delivered', outcome: 'accepted' });
        // One verdict signed (the Accept a matching code leads to); two HGETs: the sealed secret
        // (not passed in here) and the script's answered check, which delivering does not repeat.
        expect(signedFor).toEqual(['accepted']);
        expect((await calls('hget')) - hgets).toBe(2);
        // No failure or lockout to clear: no HDEL.
        expect((await calls('hdel')) - hdels).toBe(0);
        expect(first.status === 'delivered' && first.response.equals(accept)).toBe(true);
        await expect.poll(() => got.length).toBe(1);
        expect(got[0]!.response.equals(accept)).toBe(true);
        // A duplicate job of the answered transaction: the standing bytes, no check, no entry.
        const retried = await verifyTotpAndDeliver(suite.b, suite.keys, 'dlv', code, { ...options, now, txn: 'd1:1', delivery: delivery('d1') });
        expect(retried.status).toBe('answered');
        expect(retried.status === 'answered' && retried.response.equals(accept)).toBe(true);
        expect((await reasons()).slice(before)).toEqual(['totp-accepted']);
        // Another transaction with the same code: a replay, which no prepared verdict answers (the
        // Accept was prepared): checked only, the caller delivers its Reject.
        const replay = await verifyTotpAndDeliver(suite.b, suite.keys, 'dlv', code, { ...options, now, txn: 'd2:1', delivery: delivery('d2') });
        expect(replay).toEqual({ status: 'checked', outcome: 'replayed' });
        expect(await suite.a.hexists(suite.keys.txn('d2'), 'response')).toBe(0);
        expect((await reasons()).slice(before)).toEqual(['totp-accepted']);
      } finally {
        subscriber.disconnect();
      }
    });

    it('uses no step and counts no failure for a transaction answered before the check', async () => {
      const secret = await enrolled('late');
      const now = 1_700_000_000_000;
      const code = generateTotp(secret, { time: now / 1000 });
      await suite.a.hset(suite.keys.txn('d3'), 'response', reject);
      const late = await verifyTotpAndDeliver(suite.a, suite.keys, 'late', code, { ...options, now, txn: 'd3:1', delivery: delivery('d3') });
      expect(late.status).toBe('answered');
      // The code is still good for the person's next sign-in.
      expect((await verifyTotp(suite.a, suite.keys, 'late', code, { ...options, now })).outcome).toBe('accepted');
    });

    it('without a verdict for the outcome (a wrong code that gets another try, a lockout) it only checks', async () => {
      const secret = await enrolled('chk');
      const now = 1_700_000_000_000;
      const good = generateTotp(secret, { time: now / 1000 });
      const bad = good === '000000' ? '111111' : '000000';
      const wrong = await verifyTotpAndDeliver(suite.a, suite.keys, 'chk', bad, { ...options, now, txn: 'd4:1', delivery: delivery('d4', false) });
      expect(wrong).toEqual({ status: 'checked', outcome: 'invalid' });
      expect(await suite.a.hexists(suite.keys.txn('d4'), 'response')).toBe(0);
      await verifyTotp(suite.a, suite.keys, 'chk', bad, { ...options, now });
      const third = await verifyTotpAndDeliver(suite.a, suite.keys, 'chk', bad, { ...options, now, txn: 'd5:1', delivery: delivery('d5') });
      // The lockout this failure starts is reported; the prepared Reject for 'invalid' answered it.
      expect(third).toMatchObject({ status: 'delivered', outcome: 'invalid', lockedUntil: now + 300_000 });
      const locked = await verifyTotpAndDeliver(suite.a, suite.keys, 'chk', good, { ...options, now, txn: 'd6:1', delivery: delivery('d6') });
      expect(locked).toEqual({ status: 'checked', outcome: 'locked', lockedUntil: now + 300_000 });
      expect(await suite.a.hexists(suite.keys.txn('d6'), 'response')).toBe(0);
    });

    it('confirms an unconfirmed enrollment with the code that is accepted, when asked to', async () => {
      const { secret } = await store.enrollTotp('fresh');
      const code = generateTotp(base32Decode(secret));
      const result = await verifyTotpAndDeliver(suite.a, suite.keys, 'fresh', code, { ...options, allowUnconfirmed: true, confirm: true, txn: 'd7:1', delivery: delivery('d7') });
      expect(result).toMatchObject({ status: 'delivered', outcome: 'accepted' });
      expect((await store.getUser('fresh'))?.totp?.confirmed).toBe(true);
    });
  });
});
