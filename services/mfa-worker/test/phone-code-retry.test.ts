// A retried auth job runs again from the start (BullMQ's attempts, or the stalled check after a
// worker died): it must not text a second code. One code per transaction, as one push per login;
// only a send that failed (nobody got a code) is made again by the retry. The retry that reuses the
// code is no provider request in mfa_provider_requests_total either (texts cost money).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SenderError, type CodeRecipient, type CodeSender } from '@radius-mfa/mfa';
import { Code } from '@radius-mfa/radius-protocol';
import { clientFactory, useWorkerSuite } from './harness.js';
import { startSabotagedWorker, type SabotagedWorker } from './sabotaged-worker.js';

/** The SMS gateway: counts every send it is handed; `failNext` makes the next one throw (gateway down). */
class CountingSender implements CodeSender {
  readonly texts: { readonly user: string; readonly code: string }[] = [];
  calls = 0;
  failNext = false;
  sendCode(to: CodeRecipient, code: string): Promise<void> {
    this.calls++;
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new SenderError('network', 'the gateway is down'));
    }
    this.texts.push({ user: to.user, code });
    return Promise.resolve();
  }
}

describe('SMS codes: a retried job sends no second text', () => {
  const suite = useWorkerSuite({
    workers: 0,
    sections: () => {
      const client = clientFactory({ firstFactor: 'none', prompt: 'challenge', methods: ['sms'], failMode: 'closed' });
      return { clients: [client('sms')], mfa: { sms: { sender: { type: 'webhook', url: 'http://127.0.0.1:9/unused' }, codeLength: 6 } } };
    },
  });
  const sender = new CountingSender();
  /** The code id each stored State waits on, in order (a failed attempt's included). */
  const challengedCodes: (string | undefined)[] = [];
  let worker: SabotagedWorker;

  beforeAll(() => {
    worker = startSabotagedWorker(suite, { replace: (base) => ({ sms: { ...base.sms!, sender } }), onState: (state) => challengedCodes.push(state.challengeId) });
  });
  afterAll(async () => {
    await worker?.close();
  });

  it('the same job run again after its text went out: no second text, the same code in its Access-Challenge, one request counted', async () => {
    await suite.users.setPhone('ann', '+15550111');
    const calls = sender.calls;
    const counted = await worker.providerRequests('sms-sender');
    const challenged = challengedCodes.length;
    worker.sabotage.beforeChallenge = true;
    const challenge = await suite.ingress.authenticate({ user: 'ann', password: '', clientName: 'sms' });
    expect(challenge.code).toBe(Code.AccessChallenge);
    expect(worker.sabotage.beforeChallenge).toBe(false); // the first attempt did die
    expect(sender.calls - calls).toBe(1);
    expect(await worker.providerRequests('sms-sender')).toEqual({ ...counted, accept: (counted['accept'] ?? 0) + 1 });
    // Both attempts challenge for the one code that was texted.
    const [first, retried] = challengedCodes.slice(challenged);
    expect(first).toBeDefined();
    expect(retried).toBe(first);
    const accepted = await suite.ingress.authenticate({ user: 'ann', password: sender.texts.at(-1)!.code, state: challenge.state!, clientName: 'sms' });
    expect(accepted.code).toBe(Code.AccessAccept);
  });

  it('the same job run again after its send failed: the retry sends, and its code is the one asked for; both sends counted', async () => {
    await suite.users.setPhone('bob', '+15550112');
    const calls = sender.calls;
    const counted = await worker.providerRequests('sms-sender');
    const texts = sender.texts.length;
    sender.failNext = true;
    worker.sabotage.afterFailedRequest = true;
    const challenge = await suite.ingress.authenticate({ user: 'bob', password: '', clientName: 'sms' });
    expect(challenge.code).toBe(Code.AccessChallenge);
    expect(worker.sabotage.afterFailedRequest).toBe(false); // the first attempt did die
    expect(sender.calls - calls).toBe(2);
    expect(sender.texts.length - texts).toBe(1);
    expect(await worker.providerRequests('sms-sender')).toEqual({ ...counted, unavailable: (counted['unavailable'] ?? 0) + 1, accept: (counted['accept'] ?? 0) + 1 });
    const accepted = await suite.ingress.authenticate({ user: 'bob', password: sender.texts.at(-1)!.code, state: challenge.state!, clientName: 'sms' });
    expect(accepted.code).toBe(Code.AccessAccept);
    await suite.settled();
    expect((await suite.auditReasons()).slice(-2)).toEqual(['sms-challenge', 'sms-accepted']);
  });
});
