// Push through the whole worker: number matching on a challenge, auto (held request), append
// `,push`, the menu, limits, fraud lock, failMode with a dead notifier, one push per transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort, startFakePhone as startNtfyServer } from '@radius-mfa/testing';
import { createChallengeStore, type ChallengeStore } from '@radius-mfa/mfa';
import { Attr, Code } from '@radius-mfa/radius-protocol';
import { deliverPreparedVerdict } from '@radius-mfa/transactions';
import { clientFactory, startFakePhone, tokenOf, useWorkerSuite, type FakePhone } from './harness.js';

/** The standalone two-digit number of "…enter NN there…". */
function numberIn(message: string): number {
  const match = /\b(\d{2})\b/.exec(message);
  if (!match) throw new Error(`no number in "${message}"`);
  return Number(match[1]);
}

describe('push flows', () => {
  let phone: FakePhone;
  const suite = useWorkerSuite({
    sections: async () => {
      phone = await startFakePhone();
      const client = clientFactory({ firstFactor: 'none', prompt: 'challenge', methods: ['push'] });
      return {
        clients: [
          client('vpn', { attributes: [{ name: 'Class', value: 'pushed' }] }),
          client('rdg', { prompt: 'auto', attributes: [{ name: 'Class', value: 'rdg' }] }),
          client('vpn-append', { prompt: 'append', methods: ['totp', 'push'] }),
          client('menu', { methods: ['totp', 'push'] }),
        ],
        mfa: { push: { numberMatching: true, timeoutSeconds: 60, notifier: { type: 'webhook', url: phone.url }, limits: { perMinute: 3, perHour: 10 } } },
      };
    },
  });
  afterAll(async () => {
    await phone?.close();
  });
  const challenges = (): ChallengeStore => createChallengeStore({ redis: suite.commands, keys: suite.ingress.keys });

  it('challenge: "enter NN there", the push never carries NN; approved with NN → Accept with attributes', async () => {
    await suite.users.enrollPush('alice');
    const seen = phone.pushes.length;
    const first = await suite.ingress.authenticate({ user: 'alice', password: '' , callingStationId: '192.0.2.7' });
    expect(first.code).toBe(Code.AccessChallenge);
    expect(first.replyMessage).toMatch(/^Approve the sign-in on your phone, enter \d{2} there, then press Enter$/);
    const number = numberIn(first.replyMessage);
    const push = await phone.nextPush(seen);
    expect(push['user']).toBe('alice');
    expect(push['callingStationId']).toBe('192.0.2.7');
    expect(JSON.stringify(push)).not.toMatch(new RegExp(`"${number}"|:${number}[,}]`));

    const decided = await challenges().decideChallenge(tokenOf(push['approveUrl']!), { number });
    expect(decided.outcome).toBe('approved');
    const second = await suite.ingress.authenticate({ user: 'alice', password: '', state: first.state! });
    expect(second.code).toBe(Code.AccessAccept);
    expect(second.attribute(Attr.Class).map(String)).toEqual(['pushed']);
  });

  it('challenge: still pending → a new challenge "Still waiting…" with the same number; a wrong number → Reject', async () => {
    await suite.users.enrollPush('bob');
    const seen = phone.pushes.length;
    const first = await suite.ingress.authenticate({ user: 'bob', password: '' });
    const number = numberIn(first.replyMessage);
    const push = await phone.nextPush(seen);
    const waiting = await suite.ingress.authenticate({ user: 'bob', password: '', state: first.state! });
    expect(waiting.code).toBe(Code.AccessChallenge);
    expect(waiting.replyMessage).toMatch(/^Still waiting for your approval/);
    expect(numberIn(waiting.replyMessage)).toBe(number);
    expect(waiting.state!.equals(first.state!)).toBe(false);

    const wrong = await challenges().decideChallenge(tokenOf(push['approveUrl']!), { number: number === 99 ? 10 : number + 1 });
    expect(wrong.outcome).toBe('denied');
    const final = await suite.ingress.authenticate({ user: 'bob', password: '', state: waiting.state! });
    expect(final.code).toBe(Code.AccessReject);
    expect(phone.pushes.length).toBe(seen + 1);
  });

  it('challenge: denied on the phone → Reject', async () => {
    await suite.users.enrollPush('carol');
    const seen = phone.pushes.length;
    const first = await suite.ingress.authenticate({ user: 'carol', password: '' });
    const push = await phone.nextPush(seen);
    expect((await challenges().decideChallenge(tokenOf(push['denyUrl']!), {})).outcome).toBe('denied');
    const final = await suite.ingress.authenticate({ user: 'carol', password: '', state: first.state! });
    expect(final.code).toBe(Code.AccessReject);
    expect(final.replyMessage).toMatch(/denied/);
  });

  it('auto: pushes at once and holds the request; the approval delivers the prepared Accept with attributes', async () => {
    await suite.users.enrollPush('dave');
    const seen = phone.pushes.length;
    const { txn, response } = await suite.ingress.send({ user: 'dave', clientName: 'rdg' });
    const push = await phone.nextPush(seen);
    const challenge = await challenges().getChallenge(push['challengeId']!);
    expect(challenge?.txn).toBe(txn);
    // prompt auto shows nothing, so no number to match.
    expect(challenge?.numberToMatch).toBeUndefined();
    expect((await challenges().decideChallenge(tokenOf(push['approveUrl']!), {})).outcome).toBe('approved');
    // What results-api does on the approval:
    const delivered = await deliverPreparedVerdict(suite.commands, suite.ingress.keys, txn, 'accept');
    expect(delivered.decided).toBe(true);
    const result = await response;
    expect(result.code).toBe(Code.AccessAccept);
    expect(result.attribute(Attr.Class).map(String)).toEqual(['rdg']);
  });

  it('auto: a denial delivers the prepared Reject', async () => {
    await suite.users.enrollPush('erin');
    const seen = phone.pushes.length;
    const { txn, response } = await suite.ingress.send({ user: 'erin', clientName: 'rdg' });
    await phone.nextPush(seen);
    await deliverPreparedVerdict(suite.commands, suite.ingress.keys, txn, 'reject');
    expect((await response).code).toBe(Code.AccessReject);
  });

  it('one push per transaction: the same job three times sends one push', async () => {
    await suite.users.enrollPush('frank');
    const seen = phone.pushes.length;
    const { txn, response } = await suite.ingress.send({ user: 'frank', clientName: 'rdg', copies: 3 });
    await phone.nextPush(seen);
    // Every copy has run once its prepared verdicts exist and the queue is drained.
    await waitFor(async () => {
      const counts = await suite.ingress.queue.getJobCounts('waiting', 'active');
      return (counts['waiting'] ?? 0) + (counts['active'] ?? 0) === 0;
    });
    expect(phone.pushes.filter((p) => p['user'] === 'frank')).toHaveLength(1);
    await deliverPreparedVerdict(suite.commands, suite.ingress.keys, txn, 'accept');
    expect((await response).code).toBe(Code.AccessAccept);
  });

  it('append: password,push holds for the push; the menu offers both methods and "2" starts the push', async () => {
    await suite.users.enrollPush('grace');
    await suite.users.enrollTotp('grace', { confirmed: true });
    const seen = phone.pushes.length;
    const { txn, response } = await suite.ingress.send({ user: 'grace', password: 'ignored,push', clientName: 'vpn-append' });
    await phone.nextPush(seen);
    await deliverPreparedVerdict(suite.commands, suite.ingress.keys, txn, 'accept');
    expect((await response).code).toBe(Code.AccessAccept);

    const menu = await suite.ingress.authenticate({ user: 'grace', password: '', clientName: 'menu' });
    expect(menu.code).toBe(Code.AccessChallenge);
    expect(menu.replyMessage).toBe('Choose how to sign in: 1 code from your app, 2 push to your phone');
    const pushChallenge = await suite.ingress.authenticate({ user: 'grace', password: '2', state: menu.state!, clientName: 'menu' });
    expect(pushChallenge.code).toBe(Code.AccessChallenge);
    expect(pushChallenge.replyMessage).toMatch(/^Approve the sign-in/);
    expect(phone.pushes.length).toBe(seen + 2);
  });

  it('a job taken after its deadline sends no push and answers Reject', async () => {
    await suite.users.enrollPush('judy');
    const seen = phone.pushes.length;
    const result = await suite.ingress.authenticate({ user: 'judy', clientName: 'rdg', pastDeadline: true });
    expect(result.code).toBe(Code.AccessReject);
    expect(await challenges().listPendingChallenges()).not.toEqual(expect.arrayContaining([expect.objectContaining({ user: 'judy' })]));
    expect(phone.pushes.length).toBe(seen);
  });

  it("a user's own notifier (admin override) gets the push instead of the configured one", async () => {
    const own = await startFakePhone();
    try {
      await suite.users.enrollPush('kate', { notifier: { type: 'webhook', url: own.url } });
      const seen = phone.pushes.length;
      const first = await suite.ingress.authenticate({ user: 'kate', password: '' });
      expect(first.code).toBe(Code.AccessChallenge);
      expect((await own.nextPush(0))['user']).toBe('kate');
      expect(phone.pushes.length).toBe(seen);
    } finally {
      await own.close();
    }
  });

  it('ntfy: the push goes to the random topic minted at enrollment; a user without one gets no push (Reject)', async () => {
    const ntfy = await startNtfyServer();
    try {
      const { ntfyTopic } = await suite.users.enrollPush('lena', { notifier: { type: 'ntfy', url: ntfy.ntfyUrl }, ntfyTopic: true });
      expect(ntfyTopic).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const first = await suite.ingress.authenticate({ user: 'lena', password: '' });
      expect(first.code).toBe(Code.AccessChallenge);
      const published = await ntfy.nextNtfy();
      expect(published.message['topic']).toBe(ntfyTopic);
      expect(JSON.stringify(published.message)).not.toContain('radius-mfa-lena');

      // Enrolled before topics were minted (or by hand): nothing is published, and it is no outage: Reject (fail-mode.test.ts: even with failMode open).
      await suite.users.enrollPush('mike', { notifier: { type: 'ntfy', url: ntfy.ntfyUrl } });
      const orphan = await suite.ingress.authenticate({ user: 'mike', password: '' });
      expect(orphan.code).toBe(Code.AccessReject);
      expect(orphan.replyMessage).toMatch(/help desk/);
      expect(ntfy.ntfyMessages).toHaveLength(1);
    } finally {
      await ntfy.close();
    }
  });

  it('a fraud-locked user is rejected at once: no challenge, no push', async () => {
    await suite.users.enrollPush('heidi');
    await suite.users.lockForFraud('heidi');
    const seen = phone.pushes.length;
    const result = await suite.ingress.authenticate({ user: 'heidi', password: '' });
    expect(result.code).toBe(Code.AccessReject);
    expect(result.replyMessage).toMatch(/locked/);
    const held = await suite.ingress.authenticate({ user: 'heidi', clientName: 'rdg' });
    expect(held.code).toBe(Code.AccessReject);
    expect(phone.pushes.length).toBe(seen);
  });

  it('push limits: the fourth push in a minute is refused with a Reply-Message saying why', async () => {
    await suite.users.enrollPush('ivan');
    for (let i = 0; i < 3; i++) expect((await suite.ingress.authenticate({ user: 'ivan', password: '' })).code).toBe(Code.AccessChallenge);
    const fourth = await suite.ingress.authenticate({ user: 'ivan', password: '' });
    expect(fourth.code).toBe(Code.AccessReject);
    expect(fourth.replyMessage).toMatch(/Too many sign-in requests/);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('failMode when the notifier is unreachable', () => {
  const suite = useWorkerSuite({
    sections: async () => {
      const deadPort = await freeTcpPort();
      const client = clientFactory({ firstFactor: 'none', prompt: 'challenge', methods: ['push'] });
      return {
        clients: [
          client('open', { failMode: 'open', attributes: [{ name: 'Class', value: 'open' }] }),
          client('closed', { failMode: 'closed' }),
          client('open-auto', { failMode: 'open', prompt: 'auto' }),
        ],
        mfa: { push: { notifier: { type: 'webhook', url: `http://127.0.0.1:${deadPort}/push` } } },
      };
    },
  });
  beforeAll(async () => {
    for (const name of ['alice', 'bob', 'carol']) await suite.users.enrollPush(name);
  });

  it('open: Accept after the first factor with the client attributes, audited as fail-open', async () => {
    const result = await suite.ingress.authenticate({ user: 'alice', password: '', clientName: 'open' });
    expect(result.code).toBe(Code.AccessAccept);
    expect(result.attribute(Attr.Class).map(String)).toEqual(['open']);
    const auto = await suite.ingress.authenticate({ user: 'carol', clientName: 'open-auto' });
    expect(auto.code).toBe(Code.AccessAccept);
    expect((await suite.auditOutcomes()).filter((o) => o === 'fail-open')).toHaveLength(2);
  });

  it('closed: Reject with a Reply-Message', async () => {
    const result = await suite.ingress.authenticate({ user: 'bob', password: '', clientName: 'closed' });
    expect(result.code).toBe(Code.AccessReject);
    expect(result.replyMessage).toMatch(/unavailable/);
  });
});

