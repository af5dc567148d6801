// mfa_provider_requests_total is provider traffic and cost. A retried auth job (BullMQ's attempts,
// or the stalled check after a worker died) that finds its transaction's push or approval call
// sends nothing, and counts nothing when the attempt that sent it counted it: one request per push
// or call, however often the job runs (the attempt killed before counting: kill-worker.test.ts).
// Nor does a push the per-user limit refused: it never reached the notifier.
// Texted codes: phone-code-retry.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AcsVoiceApprover } from '@radius-mfa/directory';
import { SenderError } from '@radius-mfa/mfa';
import { Code } from '@radius-mfa/radius-protocol';
import { freeTcpPort } from '@radius-mfa/testing';
import { clientFactory, startFakePhone, useWorkerSuite, type FakePhone } from './harness.js';
import { startSabotagedWorker, type SabotagedWorker } from './sabotaged-worker.js';

/** ACS Call Automation: counts the calls it is asked to place; `failNext` makes the next one fail (ACS down). */
class CountingApprover implements Pick<AcsVoiceApprover, 'startCall'> {
  calls = 0;
  failNext = false;
  startCall(challengeId: string): Promise<{ callConnectionId: string }> {
    this.calls++;
    if (!this.failNext) return Promise.resolve({ callConnectionId: `call-${challengeId}` });
    this.failNext = false;
    return Promise.reject(new SenderError('network', 'ACS is down'));
  }
}

describe('mfa_provider_requests_total: a retried job that reuses the push or call is not counted', () => {
  let phone: FakePhone;
  let deadNotifier: string;
  const suite = useWorkerSuite({
    workers: 0,
    sections: async () => {
      phone = await startFakePhone();
      deadNotifier = `http://127.0.0.1:${await freeTcpPort()}/push`;
      const client = clientFactory({ firstFactor: 'none', prompt: 'challenge', failMode: 'closed' });
      return {
        clients: [client('push', { methods: ['push'] }), client('call', { methods: ['voice'] })],
        mfa: {
          push: { numberMatching: false, notifier: { type: 'webhook', url: phone.url } },
          // Required by methods: ['voice']; the worker below places approval calls instead.
          voice: { sender: { type: 'webhook', url: 'http://127.0.0.1:9/unused' } },
        },
      };
    },
  });
  const approver = new CountingApprover();
  let worker: SabotagedWorker;

  /** `before` with `outcome` one higher. */
  function plusOne(before: Record<string, number>, outcome: string): Record<string, number> {
    return { ...before, [outcome]: (before[outcome] ?? 0) + 1 };
  }

  beforeAll(() => {
    worker = startSabotagedWorker(suite, {
      replace: ({ push }) => ({ voiceCall: { challenges: push!.challenges, limiter: push!.limiter, approver, timeoutMs: 60_000 } }),
    });
  });
  afterAll(async () => {
    await worker?.close();
    await phone?.close();
  });

  it('push: the job run again after its push went out sends none; one request counted', async () => {
    await suite.users.enrollPush('ann');
    const pushes = phone.pushes.length;
    const before = await worker.providerRequests('push-notifier');
    worker.sabotage.beforeChallenge = true;
    const result = await suite.ingress.authenticate({ user: 'ann', password: '', clientName: 'push' });
    expect(result.code).toBe(Code.AccessChallenge);
    expect(worker.sabotage.beforeChallenge).toBe(false); // the first attempt did die
    expect(phone.pushes.length - pushes).toBe(1);
    expect(await worker.providerRequests('push-notifier')).toEqual(plusOne(before, 'accept'));
  });

  it('push: the job run again after its notifier was down tries none; one failed request counted', async () => {
    await suite.users.enrollPush('bob', { notifier: { type: 'webhook', url: deadNotifier } });
    const before = await worker.providerRequests('push-notifier');
    worker.sabotage.afterFailedRequest = true;
    const result = await suite.ingress.authenticate({ user: 'bob', password: '', clientName: 'push' });
    expect(result.code).toBe(Code.AccessReject);
    expect(worker.sabotage.afterFailedRequest).toBe(false);
    expect(await worker.providerRequests('push-notifier')).toEqual(plusOne(before, 'unavailable'));
  });

  it('call: the job run again after its call was placed dials none; one request counted', async () => {
    await suite.users.setPhone('cy', '+15550121');
    const calls = approver.calls;
    const before = await worker.providerRequests('voice-call');
    worker.sabotage.beforeChallenge = true;
    const result = await suite.ingress.authenticate({ user: 'cy', password: '', clientName: 'call' });
    expect(result.code).toBe(Code.AccessChallenge);
    expect(worker.sabotage.beforeChallenge).toBe(false);
    expect(approver.calls - calls).toBe(1);
    expect(await worker.providerRequests('voice-call')).toEqual(plusOne(before, 'accept'));
  });

  it('call: the job run again after ACS was down dials none; one failed request counted', async () => {
    await suite.users.setPhone('dee', '+15550122');
    const calls = approver.calls;
    const before = await worker.providerRequests('voice-call');
    approver.failNext = true;
    worker.sabotage.afterFailedRequest = true;
    const result = await suite.ingress.authenticate({ user: 'dee', password: '', clientName: 'call' });
    expect(result.code).toBe(Code.AccessReject);
    expect(worker.sabotage.afterFailedRequest).toBe(false);
    expect(approver.calls - calls).toBe(1);
    expect(await worker.providerRequests('voice-call')).toEqual(plusOne(before, 'unavailable'));
  });

  it('push: a push refused by the per-user limit (3 a minute by default) reached no provider; not counted', async () => {
    await suite.users.enrollPush('eve');
    const pushes = phone.pushes.length;
    const before = await worker.providerRequests('push-notifier');
    for (let i = 0; i < 3; i++) expect((await suite.ingress.authenticate({ user: 'eve', password: '', clientName: 'push' })).code).toBe(Code.AccessChallenge);
    const refused = await suite.ingress.authenticate({ user: 'eve', password: '', clientName: 'push' });
    expect(refused.code).toBe(Code.AccessReject);
    expect(refused.replyMessage).toMatch(/Too many/);
    expect(phone.pushes.length - pushes).toBe(3);
    expect(await worker.providerRequests('push-notifier')).toEqual({ ...before, accept: (before.accept ?? 0) + 3 });
  });
});
