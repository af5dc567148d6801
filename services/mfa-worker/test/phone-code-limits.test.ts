// SMS and voice codes are limited like the other factors: wrong codes count per user towards the
// TOTP lockout (mfa.totp.maxAttempts, lockoutSeconds) and per sign-in (three answers), and texts
// count against the per-user push/call budget (mfa.push.limits).
import { afterAll, describe, expect, it } from 'vitest';
import { Code } from '@radius-mfa/radius-protocol';
import { clientFactory, startFakePhone, useWorkerSuite, type FakePhone } from './harness.js';

describe('SMS codes: per-user lockout and send limit', () => {
  let gateway: FakePhone;
  const suite = useWorkerSuite({
    sections: async () => {
      gateway = await startFakePhone();
      const client = clientFactory({ firstFactor: 'none', prompt: 'challenge', methods: ['sms'], failMode: 'open' });
      return {
        clients: [client('sms'), client('totp', { methods: ['totp'] })],
        mfa: {
          totp: { maxAttempts: 5, lockoutSeconds: 300 },
          sms: { sender: { type: 'webhook', url: gateway.url }, codeLength: 6, maxAttempts: 5 },
          push: { notifier: { type: 'webhook', url: gateway.url }, limits: { perMinute: 3, perHour: 10 } },
        },
      };
    },
  });
  afterAll(async () => {
    await gateway?.close();
  });

  /** One sign-in: a text, then `guesses` wrong codes while the server keeps challenging. Returns the last answer. */
  async function guessWrong(user: string, guesses: number) {
    let answer = await suite.ingress.authenticate({ user, password: '', clientName: 'sms' });
    for (let i = 0; i < guesses && answer.code === Code.AccessChallenge; i++) {
      const text = gateway.pushes.at(-1)!;
      answer = await suite.ingress.authenticate({ user, password: text['code'] === '000000' ? '111111' : '000000', state: answer.state!, clientName: 'sms' });
    }
    return answer;
  }

  it('wrong codes over several sign-ins lock the user out, as TOTP does; a locked user is sent no text', async () => {
    await suite.users.setPhone('guesser', '+15550100');
    const sent = gateway.pushes.length;
    // Sign-in 1: three wrong answers end it (as for TOTP; the code itself would take 5), 3 failures counted for the user.
    const first = await guessWrong('guesser', 3);
    expect(first.code).toBe(Code.AccessReject);
    // Sign-in 2: the fifth failure starts the lockout.
    const second = await guessWrong('guesser', 3);
    expect(second.code).toBe(Code.AccessReject);
    expect(second.replyMessage).toMatch(/Too many wrong codes/);
    expect((await suite.users.getUser('guesser'))?.lockedUntil).toBeGreaterThan(Date.now());
    // Sign-in 3: locked, nothing is texted.
    const third = await suite.ingress.authenticate({ user: 'guesser', password: '', clientName: 'sms' });
    expect(third.code).toBe(Code.AccessReject);
    expect(gateway.pushes.length - sent).toBe(2);
    const reasons = await suite.auditReasons();
    expect(reasons).toContain('sms-invalid');
    expect(reasons.filter((r) => r === 'sms-locked')).toHaveLength(2);
    expect((await suite.auditOutcomes()).filter((o) => o === 'locked')).toHaveLength(2);
  });

  it('the lockout is the one TOTP uses: a user locked by SMS codes cannot guess TOTP codes either', async () => {
    await suite.users.setPhone('switcher', '+15550101');
    await suite.users.enrollTotp('switcher', { confirmed: true });
    await guessWrong('switcher', 3);
    await guessWrong('switcher', 2);
    const challenge = await suite.ingress.authenticate({ user: 'switcher', password: '', clientName: 'totp' });
    const totp = await suite.ingress.authenticate({ user: 'switcher', password: '123456', state: challenge.state!, clientName: 'totp' });
    expect(totp.code).toBe(Code.AccessReject);
    expect((await suite.auditReasons()).at(-1)).toBe('totp-locked');
  });

  it('texts count against the per-user push/call limit: the fourth text in a minute is refused', async () => {
    await suite.users.setPhone('spammed', '+15550102');
    const sent = gateway.pushes.length;
    for (let i = 0; i < 3; i++) expect((await suite.ingress.authenticate({ user: 'spammed', password: '', clientName: 'sms' })).code).toBe(Code.AccessChallenge);
    const fourth = await suite.ingress.authenticate({ user: 'spammed', password: '', clientName: 'sms' });
    expect(fourth.code).toBe(Code.AccessReject);
    expect(fourth.replyMessage).toMatch(/too many texts/);
    expect(gateway.pushes.length - sent).toBe(3);
    expect((await suite.auditReasons()).at(-1)).toBe('sms-rate-limited');
  });
});
