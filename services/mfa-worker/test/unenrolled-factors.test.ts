// "Unenrolled" means no second factor at all, judged across clients: a user with a factor this
// client cannot use is rejected, never sent an enrollment link nor let through (with a stolen
// password, a link would let the thief enroll their own phone).
import { describe, expect, it } from 'vitest';
import { Code } from '@radius-mfa/radius-protocol';
import { cheapArgon2Hash, clientFactory, startFakePhone, useWorkerSuite } from './harness.js';

const PASSWORD = 'unenrolled-pw';

describe('unenrolled is per user, not per client', () => {
  const suite = useWorkerSuite({
    sections: async () => {
      const passwordHash = await cheapArgon2Hash(PASSWORD);
      const phone = await startFakePhone();
      const client = clientFactory({ firstFactor: 'local', prompt: 'challenge', methods: ['totp'] });
      return {
        clients: [client('enroll', { unenrolled: 'enroll' }), client('grace', { unenrolled: 'enroll', enrollGraceDays: 7 }), client('allow', { unenrolled: 'allow' })],
        directories: { local: { users: ['pia', 'tex', 'ned'].map((name) => ({ name, passwordHash })) } },
        mfa: { push: { notifier: { type: 'webhook', url: phone.url } }, sms: { sender: { type: 'webhook', url: phone.url } } },
      };
    },
  });
  const enrollKeys = async (): Promise<string[]> => suite.commands.keys(`${suite.ingress.keys.prefix}:enroll:*`);

  it('a push-only user signing in to a TOTP-only client: Reject no-usable-method, no link, no grace, no allow', async () => {
    await suite.users.enrollPush('pia');
    for (const clientName of ['enroll', 'grace', 'allow']) {
      const result = await suite.ingress.authenticate({ user: 'pia', password: PASSWORD, clientName });
      expect(result.code).toBe(Code.AccessReject);
      expect(result.replyMessage).not.toMatch(/https?:/);
      expect(result.replyMessage).toMatch(/cannot be used here/);
    }
    expect((await suite.auditReasons()).filter((r) => r === 'no-usable-method')).toHaveLength(3);
    expect(await enrollKeys()).toHaveLength(0);
    expect(await suite.commands.hget(suite.ingress.keys.user('pia'), 'enrollGraceStartedAt')).toBeNull();
  });

  it('a phone where the deployment can text counts as a factor too', async () => {
    await suite.users.setPhone('tex', '+15550100');
    const result = await suite.ingress.authenticate({ user: 'tex', password: PASSWORD, clientName: 'enroll' });
    expect(result.code).toBe(Code.AccessReject);
    expect((await suite.auditReasons()).at(-1)).toBe('no-usable-method');
  });

  it('a user with no factor at all still gets the enrollment link', async () => {
    const result = await suite.ingress.authenticate({ user: 'ned', password: PASSWORD, clientName: 'enroll' });
    expect(result.code).toBe(Code.AccessReject);
    expect(result.replyMessage).toMatch(/^Enroll a second factor first: https:\/\/mfa\.example\.test\/v1\/enroll\/\S+$/);
  });
});
