// A voice-code webhook is signed like the SMS one: with mfa.voice.sender.signingSecret the call
// request carries X-Radius-Mfa-Timestamp and X-Radius-Mfa-Signature, checked here by a receiver
// with its own verification code (@radius-mfa/testing), so a gateway can tell it from a forgery.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Code } from '@radius-mfa/radius-protocol';
import { startFakePhone, type FakePhone } from '@radius-mfa/testing';
import { clientFactory, useWorkerSuite } from './harness.js';

const SIGNING_SECRET = randomBytes(32).toString('base64');

describe('voice codes: signed webhook', () => {
  let gateway: FakePhone;
  const suite = useWorkerSuite({
    sections: async () => {
      gateway = await startFakePhone({ signingSecret: SIGNING_SECRET });
      const client = clientFactory({ firstFactor: 'none', prompt: 'challenge', methods: ['voice'] });
      return {
        clients: [client('voice')],
        mfa: { voice: { sender: { type: 'webhook', url: gateway.codeUrl, signingSecret: SIGNING_SECRET } } },
      };
    },
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('the call request carries a signature the gateway accepts; the code it reads out signs the user in', async () => {
    await suite.users.setPhone('vic', '+15550123');
    const first = await suite.ingress.authenticate({ user: 'vic', password: '', clientName: 'voice' });
    expect(first.code).toBe(Code.AccessChallenge);
    const call = await gateway.nextCode();
    expect(call).toMatchObject({ user: 'vic', phone: '+15550123', channel: 'voice' });
    // The fake gateway answers 401 to a missing or wrong signature; it accepted this one.
    expect(gateway.rejected).toEqual([]);
    expect(call.headers['x-radius-mfa-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(call.headers['x-radius-mfa-timestamp']).toMatch(/^[0-9]+$/);
    const done = await suite.ingress.authenticate({ user: 'vic', password: call.code, state: first.state!, clientName: 'voice' });
    expect(done.code).toBe(Code.AccessAccept);
  });
});
