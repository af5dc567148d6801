import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createChallengeStore, type ChallengeStore, type NewChallenge } from '@radius-mfa/mfa';
import { dumpRedis } from './redis-dump.js';
import { useRedisSuite } from './redis-suite.js';

let txnCounter = 0;
function newChallenge(overrides: Partial<NewChallenge> = {}): NewChallenge {
  txnCounter += 1;
  return {
    user: 'alice',
    client: 'vpn',
    method: 'push',
    txn: `txn-${txnCounter}`,
    callingStationId: '203.0.113.9',
    expiresAt: Date.now() + 60_000,
    request: { identifier: 7, authenticator: '00112233445566778899aabbccddeeff', proxyStates: ['cafe'] },
    prompt: 'challenge',
    ...overrides,
  };
}

describe('challenges', () => {
  const suite = useRedisSuite();
  let workerStore: ChallengeStore;
  let apiStore: ChallengeStore;
  beforeAll(() => {
    workerStore = createChallengeStore({ redis: suite.a, keys: suite.keys });
    apiStore = createChallengeStore({ redis: suite.b, keys: suite.keys });
  });

  async function created(overrides: Partial<NewChallenge> = {}): Promise<{ challengeId: string; approveToken: string; denyToken: string }> {
    const result = await workerStore.createChallenge(newChallenge(overrides));
    if (!result.created) throw new Error('expected a new challenge');
    return result;
  }

  it('approves with the right number, once', async () => {
    const { challengeId, approveToken, denyToken } = await created({ numberToMatch: 47 });
    expect(approveToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const view = await apiStore.getChallengeByToken(approveToken);
    expect(view).toMatchObject({ challengeId, action: 'approve', user: 'alice', status: 'pending', numberMatching: true });
    expect(view).not.toHaveProperty('numberToMatch');
    expect(Object.values(view!).map(String)).not.toContain('47');
    expect(await apiStore.listPendingChallenges()).toEqual([expect.objectContaining({ challengeId, status: 'pending' })]);
    const decision = await apiStore.decideChallenge(approveToken, { number: '47' });
    expect(decision.outcome).toBe('approved');
    if (decision.outcome !== 'approved') throw new Error('unreachable');
    expect(decision.challenge).toMatchObject({ challengeId, txn: expect.stringMatching(/^txn-/), status: 'approved', request: { identifier: 7, proxyStates: ['cafe'] } });
    expect(await apiStore.decideChallenge(approveToken, { number: 47 })).toMatchObject({ outcome: 'conflict', reason: 'decided' });
    expect(await apiStore.decideChallenge(denyToken)).toMatchObject({ outcome: 'conflict', reason: 'decided' });
    expect((await workerStore.getChallenge(challengeId))?.status).toBe('approved');
    expect(await apiStore.listPendingChallenges()).toEqual([]);
  });

  it('a wrong or missing number denies with number-mismatch', async () => {
    const wrong = await created({ numberToMatch: 47 });
    expect(await apiStore.decideChallenge(wrong.approveToken, { number: 48 })).toMatchObject({ outcome: 'denied', reason: 'number-mismatch' });
    expect(await apiStore.decideChallenge(wrong.approveToken, { number: 47 })).toMatchObject({ outcome: 'conflict' });
    const missing = await created({ numberToMatch: 12 });
    expect(await apiStore.decideChallenge(missing.approveToken)).toMatchObject({ outcome: 'denied', reason: 'number-mismatch' });
    const garbage = await created({ numberToMatch: 12 });
    expect(await apiStore.decideChallenge(garbage.approveToken, { number: '12abc' })).toMatchObject({ outcome: 'denied' });
    const noMatching = await created();
    expect(await apiStore.decideChallenge(noMatching.approveToken)).toMatchObject({ outcome: 'approved' });
  });

  it('deny counts a denial; an approval clears the count', async () => {
    const user = 'denier';
    const a = await created({ user });
    expect(await apiStore.decideChallenge(a.denyToken)).toMatchObject({ outcome: 'denied', reason: 'user-denied' });
    const b = await created({ user, numberToMatch: 30 });
    await apiStore.decideChallenge(b.approveToken, { number: 31 });
    expect(await suite.b.hget(suite.keys.user(user), 'consecutiveDenials')).toBe('2');
    const c = await created({ user });
    await apiStore.decideChallenge(c.approveToken);
    expect(await suite.b.hget(suite.keys.user(user), 'consecutiveDenials')).toBeNull();
  });

  it('fraud locks the user and counts the report', async () => {
    const { challengeId, denyToken } = await created({ user: 'victim' });
    const decision = await apiStore.decideChallenge(denyToken, { fraud: true });
    expect(decision).toMatchObject({ outcome: 'fraud', challenge: { challengeId, status: 'fraud', reason: 'fraud-reported' } });
    expect(Number(await suite.b.hget(suite.keys.user('victim'), 'fraudLockedAt'))).toBeGreaterThan(0);
    expect(await suite.b.hget(suite.keys.user('victim'), 'fraudReports')).toBe('1');
  });

  it('expired → conflict; expireChallenge only expires pending ones', async () => {
    const late = await created({ expiresAt: Date.now() - 1 });
    expect(await apiStore.decideChallenge(late.approveToken)).toMatchObject({ outcome: 'conflict', reason: 'expired', challenge: { status: 'expired' } });
    const pending = await created();
    expect(await workerStore.expireChallenge(pending.challengeId)).toBe(true);
    expect(await workerStore.expireChallenge(pending.challengeId)).toBe(false);
    // A challenge that ran out undecided leaves the pending set at the next creation.
    const staleExpiresAt = Date.now() + 50;
    const stale = await created({ expiresAt: staleExpiresAt });
    await expect.poll(() => Date.now() > staleExpiresAt, { timeout: 10_000 }).toBe(true);
    expect(await apiStore.listPendingChallenges()).not.toContainEqual(expect.objectContaining({ challengeId: stale.challengeId }));
    expect(await suite.a.zscore(suite.keys.pendingChallenges(), stale.challengeId)).not.toBeNull();
    await created();
    expect(await suite.a.zscore(suite.keys.pendingChallenges(), stale.challengeId)).toBeNull();
    expect(await apiStore.decideChallenge(pending.denyToken)).toMatchObject({ outcome: 'conflict', reason: 'decided' });
    expect((await apiStore.getChallengeByToken(pending.denyToken))?.status).toBe('expired');
    expect(await apiStore.decideChallenge('not-a-token')).toEqual({ outcome: 'not-found' });
    expect(await apiStore.getChallengeByToken('not-a-token')).toBeUndefined();
  });

  it('one challenge per transaction, atomically, even under concurrent creates', async () => {
    const input = newChallenge({ txn: 'retried-txn' });
    const results = await Promise.all([workerStore.createChallenge(input), apiStore.createChallenge(input), workerStore.createChallenge(input)]);
    const fresh = results.filter((r) => r.created);
    expect(fresh).toHaveLength(1);
    expect(new Set(results.map((r) => r.challengeId)).size).toBe(1);
    expect(await workerStore.challengeIdForTxn('retried-txn')).toBe(fresh[0]!.challengeId);
    expect(await workerStore.challengeIdForTxn('other-txn')).toBeUndefined();
  });

  it('stores tokens only hashed, and expires with the challenge', async () => {
    const { challengeId, approveToken, denyToken } = await created({ numberToMatch: 55 });
    const dump = await dumpRedis(suite.a, suite.prefix);
    expect(dump).not.toContain(approveToken);
    expect(dump).not.toContain(denyToken);
    const hash = createHash('sha256').update(approveToken).digest('hex');
    expect(await suite.b.exists(suite.keys.approvalToken(hash))).toBe(1);
    const ttl = await suite.b.pttl(suite.keys.approvalToken(hash));
    expect(ttl).toBeGreaterThan(0);
    expect(await suite.b.pttl(suite.keys.challenge(challengeId))).toBeGreaterThan(0);
  });
  it('an approve token may deny or report fraud (the page holds only it); a deny token never approves', async () => {
    const page = await created({ user: 'pager', numberToMatch: 21 });
    expect(await apiStore.decideChallenge(page.approveToken, { deny: true })).toMatchObject({ outcome: 'denied', reason: 'user-denied' });
    const fraud = await created({ user: 'pager-fraud' });
    expect(await apiStore.decideChallenge(fraud.approveToken, { fraud: true })).toMatchObject({ outcome: 'fraud' });
    expect(await suite.b.hget(suite.keys.user('pager-fraud'), 'fraudReports')).toBe('1');
    const denyOnly = await created({ user: 'pager2' });
    expect(await apiStore.decideChallenge(denyOnly.denyToken, {})).toMatchObject({ outcome: 'denied', reason: 'user-denied' });
  });

  it('decides by challenge id for authenticated channels, once', async () => {
    const voice = await created({ user: 'caller', method: 'voice' });
    expect(await apiStore.decideChallengeById(voice.challengeId, { approve: true })).toMatchObject({ outcome: 'approved', challenge: { status: 'approved' } });
    expect(await apiStore.decideChallengeById(voice.challengeId, { approve: false })).toMatchObject({ outcome: 'conflict', reason: 'decided' });
    const hungUp = await created({ user: 'caller', method: 'voice' });
    expect(await apiStore.decideChallengeById(hungUp.challengeId, { approve: false })).toMatchObject({ outcome: 'denied', reason: 'user-denied' });
    const numbered = await created({ user: 'caller', numberToMatch: 33 });
    expect(await apiStore.decideChallengeById(numbered.challengeId, { approve: true })).toMatchObject({ outcome: 'denied', reason: 'number-mismatch' });
    expect(await apiStore.decideChallengeById('0123456789abcdef0123456789abcdef', { approve: true })).toEqual({ outcome: 'not-found' });
  });

  it('lets one caller claim the counting of a challenge’s push, from any pod; a gone challenge is claimed by nobody and not recreated', async () => {
    const { challengeId } = await created();
    const claims = await Promise.all([workerStore.claimRequestCount(challengeId), apiStore.claimRequestCount(challengeId), workerStore.claimRequestCount(challengeId)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await workerStore.claimRequestCount(challengeId)).toBe(false);
    // The challenge itself reads as before.
    expect(await apiStore.getChallenge(challengeId)).toMatchObject({ challengeId, status: 'pending' });
    const gone = '0123456789abcdef0123456789abcdef';
    expect(await workerStore.claimRequestCount(gone)).toBe(false);
    expect(await suite.a.exists(suite.keys.challenge(gone))).toBe(0);
  });
});
