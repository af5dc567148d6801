import { beforeAll, describe, expect, it } from 'vitest';
import { createOtpCodeStore, type IssuedCode, type OtpCodeStore } from '@radius-mfa/mfa';
import { dumpRedis } from './redis-dump.js';
import { useRedisSuite } from './redis-suite.js';

describe('one-time SMS/voice codes', () => {
  const suite = useRedisSuite();
  let codes: OtpCodeStore;
  beforeAll(() => {
    codes = createOtpCodeStore({ redis: suite.a, keys: suite.keys, codeLength: 6, ttlSeconds: 300, maxAttempts: 3, lockout: { maxAttempts: 5, lockoutSeconds: 300 } });
  });

  const wrong = (code: string): string => (code === '000000' ? '111111' : '000000');
  let txns = 0;
  /** A code of a transaction of its own. */
  async function issue(user: string, store: OtpCodeStore = codes): Promise<IssuedCode> {
    const issued = await store.issueCode(user, `txn-${++txns}`);
    if (!issued.issued) throw new Error('a fresh transaction already had a code');
    return issued;
  }

  it('accepts a code once, and stores only its hash', async () => {
    const issued = await issue('alice');
    expect(issued.code).toMatch(/^\d{6}$/);
    expect(await dumpRedis(suite.a, suite.prefix)).not.toContain(issued.code);
    const ttl = await suite.a.pttl(suite.keys.otpCode(issued.codeId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300_000);
    expect(await codes.verifyCode(issued.codeId, 'alice', issued.code)).toEqual({ outcome: 'accepted' });
    expect(await codes.verifyCode(issued.codeId, 'alice', issued.code)).toEqual({ outcome: 'expired' });
  });

  it('lets one caller claim the counting of a code’s text or call; a withdrawn code is claimed by nobody and not recreated', async () => {
    const issued = await issue('claire');
    const claims = await Promise.all([codes.claimRequestCount(issued.codeId), codes.claimRequestCount(issued.codeId)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    // The code still verifies.
    expect(await codes.verifyCode(issued.codeId, 'claire', issued.code)).toMatchObject({ outcome: 'accepted' });
    const withdrawn = await issue('dora');
    await codes.withdrawCode(withdrawn.codeId, `txn-${txns}`);
    expect(await codes.claimRequestCount(withdrawn.codeId)).toBe(false);
    expect(await suite.a.exists(suite.keys.otpCode(withdrawn.codeId))).toBe(0);
  });

  it('is bound to its user', async () => {
    const issued = await issue('alice');
    expect((await codes.verifyCode(issued.codeId, 'mallory', issued.code)).outcome).toBe('expired');
    expect((await codes.verifyCode(issued.codeId, 'alice', issued.code)).outcome).toBe('accepted');
  });

  it('limits attempts, then the code is gone', async () => {
    const issued = await issue('bob');
    expect(await codes.verifyCode(issued.codeId, 'bob', wrong(issued.code))).toEqual({ outcome: 'invalid', attemptsLeft: 2 });
    expect(await codes.verifyCode(issued.codeId, 'bob', wrong(issued.code))).toEqual({ outcome: 'invalid', attemptsLeft: 1 });
    expect(await codes.verifyCode(issued.codeId, 'bob', wrong(issued.code))).toEqual({ outcome: 'exhausted' });
    expect((await codes.verifyCode(issued.codeId, 'bob', issued.code)).outcome).toBe('expired');
  });

  it('two concurrent right answers: one wins', async () => {
    const issued = await issue('carol');
    const results = await Promise.all([codes.verifyCode(issued.codeId, 'carol', issued.code), codes.verifyCode(issued.codeId, 'carol', issued.code)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['accepted', 'expired']);
  });

  it('a retried job of the transaction that used the code is accepted again; another is not', async () => {
    const issued = await issue('erin');
    expect((await codes.verifyCode(issued.codeId, 'erin', issued.code, 'txn-a')).outcome).toBe('accepted');
    expect((await codes.verifyCode(issued.codeId, 'erin', issued.code, 'txn-a')).outcome).toBe('accepted');
    expect((await codes.verifyCode(issued.codeId, 'erin', issued.code, 'txn-b')).outcome).toBe('expired');
    expect((await codes.verifyCode(issued.codeId, 'erin', issued.code)).outcome).toBe('expired');
  });

  it('expires', async () => {
    const shortLived = createOtpCodeStore({ redis: suite.a, keys: suite.keys, codeLength: 8, ttlSeconds: 1, maxAttempts: 3, lockout: { maxAttempts: 5, lockoutSeconds: 300 } });
    const issued = await issue('dave', shortLived);
    expect(issued.code).toMatch(/^\d{8}$/);
    await suite.a.pexpire(suite.keys.otpCode(issued.codeId), 1); // let the TTL run out without sleeping for it
    await expect.poll(() => suite.a.exists(suite.keys.otpCode(issued.codeId)), { timeout: 10_000 }).toBe(0);
    expect((await shortLived.verifyCode(issued.codeId, 'dave', issued.code)).outcome).toBe('expired');
  });

  it('one code per transaction: a retried or duplicate job gets the code id of the first, never the code', async () => {
    const [a, b] = await Promise.all([codes.issueCode('fay', 'txn-retried'), codes.issueCode('fay', 'txn-retried')]);
    const first = a.issued ? a : b;
    const second = a.issued ? b : a;
    expect(first.issued).toBe(true);
    expect(second).toEqual({ issued: false, codeId: first.codeId });
    expect(await codes.codeIdForTxn('txn-retried')).toBe(first.codeId);
    expect(await codes.issueCode('fay', 'txn-retried')).toEqual({ issued: false, codeId: first.codeId });
    // The transaction's entry lives as long as its code, and holds only the (not secret) code id.
    expect(await suite.a.get(suite.keys.otpCodeByTxn('txn-retried'))).toBe(first.codeId);
    expect(await suite.a.pttl(suite.keys.otpCodeByTxn('txn-retried'))).toBeGreaterThan(0);
    if (first.issued) expect(await dumpRedis(suite.a, suite.prefix)).not.toContain(first.code);
    expect(await codes.codeIdForTxn('txn-other')).toBeUndefined();
  });

  it('a code withdrawn after a failed send is gone, and its transaction may issue a new one', async () => {
    const failed = await codes.issueCode('gus', 'txn-failed-send');
    if (!failed.issued) throw new Error('not issued');
    await codes.withdrawCode(failed.codeId, 'txn-failed-send');
    expect((await codes.verifyCode(failed.codeId, 'gus', failed.code)).outcome).toBe('expired');
    expect(await codes.codeIdForTxn('txn-failed-send')).toBeUndefined();
    const again = await codes.issueCode('gus', 'txn-failed-send');
    expect(again.issued).toBe(true);
    expect(again.codeId).not.toBe(failed.codeId);
    // A late withdrawal of the old code leaves the new one alone.
    await codes.withdrawCode(failed.codeId, 'txn-failed-send');
    expect(await codes.codeIdForTxn('txn-failed-send')).toBe(again.codeId);
  });
});
