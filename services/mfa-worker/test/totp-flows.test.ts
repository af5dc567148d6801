// TOTP through the whole worker: challenge and append prompts, State rules, replay, attributes.
import { describe, expect, it } from 'vitest';
import { base32Decode, generateTotp, verifyTotp } from '@radius-mfa/mfa';
import { Attr, Code, parseVendorSpecific } from '@radius-mfa/radius-protocol';
import { cheapArgon2Hash, clientFactory, enrolTotp, useWorkerSuite, type AuthAttempt } from './harness.js';

const PASSWORD = 'correct horse';

describe('TOTP flows', () => {
  const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'kim', 'liam', 'nina', 'mallory', 'olga', 'pete', 'rita'];
  const suite = useWorkerSuite({
    // Two workers on one queue: what must hold across workers (replay) is tested as it runs.
    workers: 2,
    sections: async () => {
      const passwordHash = await cheapArgon2Hash(PASSWORD);
      const client = clientFactory({ firstFactor: 'local', methods: ['totp'] });
      return {
        clients: [
          client('vpn', {
            prompt: 'challenge',
            attributes: [
              { name: 'Class', value: 'vpn-users' },
              { name: 'Session-Timeout', value: 3600 },
            ],
            groupAttributes: { admins: [{ name: 'Filter-Id', value: 'admin-acl' }, { vendor: 9, type: 1, value: 'shell:priv-lvl=15' }] },
          }),
          client('vpn-append', { prompt: 'append', attributes: [{ name: 'Class', value: 'append-users' }] }),
          client('wifi', { prompt: 'challenge' }),
          client('code-only', { firstFactor: 'none', prompt: 'append' }),
        ],
        directories: { local: { users: names.map((name) => ({ name, passwordHash, groups: name === 'alice' ? ['Admins'] : [] })) } },
      };
    },
  });
  const authenticate = (attempt: AuthAttempt) => suite.ingress.authenticate(attempt);
  const enrol = (user: string) => enrolTotp(suite.users, user);

  it('challenge: password, then "Enter your code" with State, then the code → Accept with client and group attributes', async () => {
    const code = await enrol('alice');
    const first = await authenticate({ user: 'ALICE', password: PASSWORD });
    expect(first.code).toBe(Code.AccessChallenge);
    expect(first.replyMessage).toBe('Enter your code');
    expect(first.state?.length).toBeGreaterThanOrEqual(16);
    // Message-Authenticator is the first attribute of every response (PROTOCOL-CASES 15).
    expect(first.packet.attributes[0]!.type).toBe(Attr.MessageAuthenticator);

    const second = await authenticate({ user: 'alice', password: code(), state: first.state! });
    expect(second.code).toBe(Code.AccessAccept);
    expect(second.attribute(Attr.Class).map(String)).toEqual(['vpn-users']);
    expect(second.attribute(Attr.SessionTimeout)[0]!.readUInt32BE(0)).toBe(3600);
    expect(second.attribute(Attr.FilterId).map(String)).toEqual(['admin-acl']);
    const vsa = parseVendorSpecific(second.attribute(Attr.VendorSpecific)[0]!);
    expect(vsa?.vendorId).toBe(9);
    expect(vsa?.attributes[0]?.value.toString()).toBe('shell:priv-lvl=15');
  });

  it('challenge: a wrong password is rejected without a challenge', async () => {
    await enrol('bob');
    const result = await authenticate({ user: 'bob', password: 'wrong' });
    expect(result.code).toBe(Code.AccessReject);
    expect(result.state).toBeUndefined();
  });

  it('challenge: a wrong code gets another challenge (new State), then the right code is accepted', async () => {
    const code = await enrol('carol');
    const first = await authenticate({ user: 'carol', password: PASSWORD });
    const valid = code();
    const wrong = String((Number(valid) + 1) % 1_000_000).padStart(6, '0');
    const retry = await authenticate({ user: 'carol', password: wrong, state: first.state! });
    expect(retry.code).toBe(Code.AccessChallenge);
    expect(retry.replyMessage).toMatch(/not accepted/);
    expect(retry.state!.equals(first.state!)).toBe(false);
    const done = await authenticate({ user: 'carol', password: valid, state: retry.state! });
    expect(done.code).toBe(Code.AccessAccept);
    expect(done.attribute(Attr.FilterId)).toEqual([]);
  });

  it('State is single use: presenting it again (a new transaction) is rejected', async () => {
    const code = await enrol('dave');
    const first = await authenticate({ user: 'dave', password: PASSWORD });
    const accepted = await authenticate({ user: 'dave', password: code(), state: first.state! });
    expect(accepted.code).toBe(Code.AccessAccept);
    const replay = await authenticate({ user: 'dave', password: code(), state: first.state! });
    expect(replay.code).toBe(Code.AccessReject);
  });

  it('State is bound to client and user: another user or another client is rejected, and the owner can still use it', async () => {
    const code = await enrol('erin');
    await enrol('frank');
    const first = await authenticate({ user: 'erin', password: PASSWORD });
    expect(first.code).toBe(Code.AccessChallenge);
    const otherUser = await authenticate({ user: 'frank', password: code(), state: first.state! });
    expect(otherUser.code).toBe(Code.AccessReject);
    const otherClient = await authenticate({ user: 'erin', password: code(), state: first.state!, clientName: 'wifi' });
    expect(otherClient.code).toBe(Code.AccessReject);
    const owner = await authenticate({ user: 'erin', password: code(), state: first.state! });
    expect(owner.code).toBe(Code.AccessAccept);
  });

  it('an unknown or forged State is rejected', async () => {
    const forged = await authenticate({ user: 'erin', password: '123456', state: Buffer.alloc(16, 7) });
    expect(forged.code).toBe(Code.AccessReject);
    const odd = await authenticate({ user: 'erin', password: '123456', state: Buffer.from('short') });
    expect(odd.code).toBe(Code.AccessReject);
  });

  it('Service-Type Authorize-Only without State is rejected', async () => {
    const result = await authenticate({ user: 'erin', password: PASSWORD, serviceType: 17 });
    expect(result.code).toBe(Code.AccessReject);
  });

  it('append: password,123456 and password123456 are accepted in one round trip; no code → a hint', async () => {
    const code = await enrol('grace');
    const comma = await authenticate({ user: 'grace', password: `${PASSWORD},${code()}`, clientName: 'vpn-append' });
    expect(comma.code).toBe(Code.AccessAccept);
    expect(comma.attribute(Attr.Class).map(String)).toEqual(['append-users']);

    const code2 = await enrol('heidi');
    const bare = await authenticate({ user: 'heidi', password: `${PASSWORD}${code2()}`, clientName: 'vpn-append' });
    expect(bare.code).toBe(Code.AccessAccept);

    const none = await authenticate({ user: 'heidi', password: PASSWORD, clientName: 'vpn-append' });
    expect(none.code).toBe(Code.AccessReject);
    expect(none.replyMessage).toMatch(/password,123456/);
  });

  it('append with no first factor: a bare code is the code (no password to split it from)', async () => {
    const code = await enrol('quinn');
    const bare = await authenticate({ user: 'quinn', password: code(), clientName: 'code-only' });
    expect(bare.code).toBe(Code.AccessAccept);
    // Taken as the code, so a wrong one is a wrong code, not a missing one.
    const wrong = await authenticate({ user: 'quinn', password: '000000', clientName: 'code-only' });
    expect(wrong.code).toBe(Code.AccessReject);
    expect(wrong.replyMessage ?? '').not.toMatch(/password,123456/);
  });

  it('a code is accepted once across two workers and two transactions (replay → Reject)', async () => {
    const code = await enrol('ivan');
    const value = code();
    const [a, b] = await Promise.all([
      authenticate({ user: 'ivan', password: `${PASSWORD},${value}`, clientName: 'vpn-append' }),
      authenticate({ user: 'ivan', password: `${PASSWORD},${value}`, clientName: 'vpn-append' }),
    ]);
    expect([a.code, b.code].sort()).toEqual([Code.AccessAccept, Code.AccessReject]);
  });

  /** The audit entries written for one transaction. */
  const auditedFor = async (txn: string): Promise<string[][]> => {
    await suite.settled();
    return (await suite.commands.xrange(suite.ingress.keys.audit(), '-', '+')).map(([, fields]) => fields).filter((fields) => fields[fields.indexOf('txn') + 1] === txn);
  };

  it('duplicate jobs of one transaction answer once, the same Accept, with one audit entry (the TOTP step is consumed once)', async () => {
    const code = await enrol('judy');
    const result = await authenticate({ user: 'judy', password: `${PASSWORD},${code()}`, clientName: 'vpn-append', copies: 6 });
    expect(result.code).toBe(Code.AccessAccept);
    const cached = await suite.commands.hgetBuffer(suite.ingress.keys.txn(result.txn), 'response');
    expect(cached?.equals(result.packet.raw)).toBe(true);
    // The entry goes with the verdict that decided: the other jobs, answered too, add none.
    const entries = await auditedFor(result.txn);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toContain('totp-accepted');
  });

  it('duplicate jobs of a code-only sign-in (the user read issued with the first command) answer once, one audit entry', async () => {
    const code = await enrol('rita');
    const result = await authenticate({ user: 'rita', password: code(), clientName: 'code-only', copies: 6 });
    expect(result.code).toBe(Code.AccessAccept);
    expect(await auditedFor(result.txn)).toHaveLength(1);
  });

  it('a retried job whose first attempt had the code accepted (then died) still answers Accept', async () => {
    const code = await enrol('kim');
    const value = code();
    const result = await authenticate({
      user: 'kim',
      password: `${PASSWORD},${value}`,
      clientName: 'vpn-append',
      // The first attempt of this transaction: the step is consumed, then the worker dies before delivering.
      // Idempotency is keyed on the admission (txn and its receivedAt), which a retried job shares.
      beforeEnqueue: async (txn, job) => {
        const first = await verifyTotp(suite.commands, suite.ingress.keys, 'kim', value, { sealer: suite.ingress.sealer, ...suite.config.mfa.totp, txn: `${txn}:${job.receivedAt}` });
        expect(first.outcome).toBe('accepted');
      },
    });
    expect(result.code).toBe(Code.AccessAccept);
    expect(await auditedFor(result.txn)).toHaveLength(1);
  });

  it('the same packet replayed after its txn expired is a new admission: the code is refused as a replay', async () => {
    const code = await enrol('olga');
    const accepted = await authenticate({ user: 'olga', password: `${PASSWORD},${code()}`, clientName: 'vpn-append' });
    expect(accepted.code).toBe(Code.AccessAccept);
    const replayed = await suite.ingress.replay(accepted.txn);
    expect(replayed.code).toBe(Code.AccessReject);
    expect(replayed.replyMessage).toMatch(/already used/i);
    // The same packet is the same txn: its first admission's entry, then the replay's Reject,
    // delivered by the job (no verdict was signed ahead for a replay), audited once.
    expect((await auditedFor(replayed.txn)).map((fields) => fields[fields.indexOf('reason') + 1])).toEqual(['totp-accepted', 'totp-replayed']);
  });

  it('the State answer replayed after its txn expired is refused (the State was consumed by another admission)', async () => {
    const code = await enrol('pete');
    const first = await authenticate({ user: 'pete', password: PASSWORD });
    const accepted = await authenticate({ user: 'pete', password: code(), state: first.state! });
    expect(accepted.code).toBe(Code.AccessAccept);
    const replayed = await suite.ingress.replay(accepted.txn);
    expect(replayed.code).toBe(Code.AccessReject);
    await suite.settled();
    const audited = await suite.commands.xrange(suite.ingress.keys.audit(), '-', '+');
    expect(audited.map(([, fields]) => fields.join(' ')).filter((line) => line.includes('pete')).join('\n')).toContain('state-replayed');
  });

  it('over RadSec the request and the answer use the secret "radsec" (RFC 6614 §2.3)', async () => {
    const code = await enrol('liam');
    const result = await authenticate({ user: 'liam', password: `${PASSWORD},${code()}`, clientName: 'vpn-append', transport: 'radsec' });
    expect(result.code).toBe(Code.AccessAccept);
  });

  it('the first valid code confirms an unconfirmed enrolment', async () => {
    const { secret } = await suite.users.enrollTotp('nina', { confirmed: false });
    const code = generateTotp(base32Decode(secret), { time: Date.now() / 1000 });
    const result = await authenticate({ user: 'nina', password: `${PASSWORD},${code}`, clientName: 'vpn-append' });
    expect(result.code).toBe(Code.AccessAccept);
    expect((await suite.users.getUser('nina'))?.totp?.confirmed).toBe(true);
  });

  it('an unenrolled user is rejected (unenrolled: reject) with a Reply-Message', async () => {
    const result = await authenticate({ user: 'mallory', password: PASSWORD });
    expect(result.code).toBe(Code.AccessReject);
    expect(result.replyMessage).toMatch(/not enrolled/);
  });

  it('audits each decision to the stream, without the password or the code', async () => {
    await suite.settled();
    const entries = await suite.commands.xrange(suite.ingress.keys.audit(), '-', '+');
    expect(entries.length).toBeGreaterThan(10);
    const text = JSON.stringify(entries);
    expect(text).not.toContain(PASSWORD);
    expect(text).toContain('totp-accepted');
    expect(text).toContain('state-replayed');
    expect(text).toContain('state-mismatch');
  });
});
