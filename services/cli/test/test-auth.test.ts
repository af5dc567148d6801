// test-auth against a tiny RADIUS responder built with the codec: a password, then a challenge for a code.
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Attr,
  Code,
  buildResponse,
  decodePacket,
  findAttribute,
  textAttribute,
  replyMessageAttributes,
  unhidePassword,
  verifyRequest,
  type RadiusAttribute,
} from '@radius-mfa/radius-protocol';
import { Prompts } from '@radius-mfa/mfa-worker';
import { runCli } from './cli-harness.js';

const SECRET = Buffer.from('test-auth-secret-0123456789');
const STATE = Buffer.from('c0ffee', 'hex');

interface Responder {
  readonly address: string;
  readonly received: { verified: boolean; password: string; state?: string; messageAuthenticator: boolean }[];
  close(): Promise<void>;
}

/** A correctly signed reply (RFC 2865 §3 Response Authenticator) that lacks Message-Authenticator, as pre-BlastRADIUS servers send. */
function replyWithoutMessageAuthenticator(code: number, identifier: number, requestAuthenticator: Buffer, attributes: readonly RadiusAttribute[]): Buffer {
  const body = Buffer.concat(attributes.map((a) => Buffer.concat([Buffer.from([a.type, a.value.length + 2]), a.value])));
  const header = Buffer.alloc(20);
  header.writeUInt8(code, 0);
  header.writeUInt8(identifier, 1);
  header.writeUInt16BE(20 + body.length, 2);
  requestAuthenticator.copy(header, 4);
  const digest = createHash('md5').update(header).update(body).update(SECRET).digest();
  digest.copy(header, 4);
  return Buffer.concat([header, body]);
}

/** Answers like radius-mfa in challenge mode: pw → Challenge(State), State + 123456 → Accept, else Reject. */
async function startResponder(mode: 'normal' | 'no-message-authenticator-first' = 'normal'): Promise<Responder> {
  return startFakeServer((password, state) => {
    if (!state && password === 'pw') return { code: Code.AccessChallenge, attributes: [...replyMessageAttributes('Enter the code from your authenticator app'), { type: Attr.State, value: STATE }] };
    if (state?.equals(STATE) && password === '123456') return { code: Code.AccessAccept, attributes: [textAttribute(Attr.Class, 'vpn-users'), ...replyMessageAttributes('Welcome')] };
    return { code: Code.AccessReject, attributes: replyMessageAttributes('Access denied') };
  }, mode);
}

interface PushResponder extends Responder {
  approve(): void;
}

/** Answers like radius-mfa for a push user: pw → "Approve … enter 27", then Enter → "Still waiting" until approved, then Accept. */
async function startPushResponder(): Promise<PushResponder> {
  let approved = false;
  const responder = await startFakeServer((password, state) => {
    if (!state && password === 'pw') return { code: Code.AccessChallenge, attributes: [...replyMessageAttributes(Prompts.approvePush(27)), { type: Attr.State, value: STATE }] };
    if (!state?.equals(STATE) || password !== '') return { code: Code.AccessReject, attributes: replyMessageAttributes('Access denied') };
    if (approved) return { code: Code.AccessAccept, attributes: [] };
    return { code: Code.AccessChallenge, attributes: [...replyMessageAttributes(Prompts.stillWaiting(27)), { type: Attr.State, value: STATE }] };
  });
  return { ...responder, approve: () => (approved = true) };
}

type Answer = (password: string, state: Buffer | undefined) => { code: number; attributes: RadiusAttribute[] };

async function startFakeServer(answer: Answer, mode: 'normal' | 'no-message-authenticator-first' = 'normal'): Promise<Responder> {
  const socket: Socket = createSocket('udp4');
  const received: Responder['received'] = [];
  socket.on('message', (datagram, from) => {
    const request = decodePacket(datagram);
    let verified = true;
    try {
      verifyRequest(request, { secret: SECRET, requireMessageAuthenticator: true });
    } catch {
      // Answer anyway (signed with our secret): the client must be the one to discard it.
      verified = false;
    }
    const hidden = findAttribute(request, Attr.UserPassword) ?? Buffer.alloc(16);
    const password = unhidePassword(hidden, SECRET, request.authenticator).toString('utf8');
    const state = findAttribute(request, Attr.State);
    received.push({ verified, password, ...(state && { state: state.toString('hex') }), messageAuthenticator: findAttribute(request, Attr.MessageAuthenticator) !== undefined });
    const { code, attributes } = answer(password, state);
    const reply = mode === 'normal' ? buildResponse(request, code, attributes, SECRET) : replyWithoutMessageAuthenticator(code, request.identifier, request.authenticator, attributes);
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    received,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

let responder: Responder;
beforeAll(async () => {
  responder = await startResponder();
});
afterAll(() => responder.close());

const base = (): string[] => ['test-auth', '--server', responder.address, '--secret', SECRET.toString(), '--user', 'alice', '--timeout', '2', '--retries', '1'];

describe('radius-mfa test-auth', () => {
  it('answers the challenge with --respond and exits 0 on Access-Accept, printing each exchange', async () => {
    const before = responder.received.length;
    const run = await runCli([...base(), '--password', 'pw', '--respond', '123456']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Access-Challenge (code 11)');
    expect(run.stdout).toContain('Reply-Message: "Enter the code from your authenticator app"');
    expect(run.stdout).toContain('Access-Accept (code 2)');
    expect(run.stdout).toContain('Class: 0x76706e2d7573657273');
    expect(run.stdout).toContain('result: accept');
    const seen = responder.received.slice(before);
    expect(seen).toEqual([
      { verified: true, password: 'pw', messageAuthenticator: true },
      { verified: true, password: '123456', state: 'c0ffee', messageAuthenticator: true },
    ]);
  });

  it('exits 1 on Access-Reject', async () => {
    const run = await runCli([...base(), '--password', 'pw', '--respond', '000000']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Access-Reject (code 3)');
    expect(run.stdout).toContain('result: reject');
  });

  it('exits 2 when a challenge comes and no --respond is left (not a terminal)', async () => {
    const run = await runCli([...base(), '--password', 'pw']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('result: unanswered-challenge');
  });

  it('on a terminal, asks for the answer to a challenge, showing the Reply-Message', async () => {
    const run = await runCli([...base(), '--password', 'pw'], { tty: true, input: '123456\n' });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Enter the code from your authenticator app\n> ');
    expect(run.stdout).toContain('result: accept');
  });

  it('prints { result, exchanges } with --json', async () => {
    const run = await runCli([...base(), '--password', 'pw', '--respond', '123456', '--json']);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { result: string; exchanges: { response: { codeName: string; replyMessage?: string } }[] };
    expect(parsed.result).toBe('accept');
    expect(parsed.exchanges.map((e) => e.response.codeName)).toEqual(['Access-Challenge', 'Access-Accept']);
    expect(parsed.exchanges[1]?.response.replyMessage).toBe('Welcome');
  });

  it('discards replies signed with another secret and exits 2, saying why', async () => {
    const run = await runCli(['test-auth', '--server', responder.address, '--secret', 'not-the-right-secret', '--user', 'alice', '--password', 'pw', '--timeout', '0.5', '--retries', '1']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('result: no-answer');
    expect(run.stderr).toContain('bad_request_authenticator');
  });

  it('discards an Access-* reply without Message-Authenticator first (BlastRADIUS)', async () => {
    const bare = await startResponder('no-message-authenticator-first');
    try {
      const run = await runCli(['test-auth', '--server', bare.address, '--secret', SECRET.toString(), '--user', 'alice', '--password', 'nope', '--timeout', '0.5', '--retries', '0']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/missing_message_authenticator|Message-Authenticator/);
      expect(bare.received).toHaveLength(1);
    } finally {
      await bare.close();
    }
  });

  it('no answer at all (radius-mfa drops a wrong secret silently): shows each resend, then the likely causes and where to look', async () => {
    const silent = createSocket('udp4');
    let seen = 0;
    silent.on('message', () => seen++);
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const server = `127.0.0.1:${silent.address().port}`;
    try {
      const run = await runCli(['test-auth', '--server', server, '--secret', 'wrong', '--user', 'alice', '--password', 'pw', '--timeout', '0.3', '--retries', '1']);
      expect(run.code).toBe(2);
      expect(run.stdout).toContain('result: no-answer');
      expect(run.stderr).toContain('no reply within 0.3 s; sending again (2 of 2)');
      expect(run.stderr).toContain(`no valid reply from ${server} after 2 attempts`);
      expect(run.stderr).toContain('radius_packets_dropped_total{reason="bad_message_authenticator"}');
      expect(run.stderr).toContain('reason="unknown_client"');
      expect(run.stderr).toContain('radius-mfa doctor');
      expect(seen).toBe(2);
      const json = await runCli(['test-auth', '--server', server, '--secret', 'wrong', '--user', 'alice', '--timeout', '0.3', '--retries', '0', '--json']);
      const parsed = JSON.parse(json.stdout) as { result: string; error: string; hints: string[] };
      expect(parsed).toMatchObject({ result: 'no-answer', error: expect.stringContaining('after 1 attempt (0.3 s)') });
      expect(parsed.hints.join('\n')).toContain('bad_message_authenticator');
      expect(json.stderr).toBe('');
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a reply signed with another secret is not "no answer": it says so, without the silent-drop hints', async () => {
    const run = await runCli(['test-auth', '--server', responder.address, '--secret', 'not-the-right-secret', '--user', 'alice', '--password', 'pw', '--timeout', '0.3', '--retries', '0']);
    expect(run.stderr).toContain('is the secret right?');
    expect(run.stderr).not.toContain('radius_packets_dropped_total');
  });

  describe('--wait-push (a push check without a terminal)', () => {
    let push: PushResponder;
    beforeAll(async () => {
      push = await startPushResponder();
    });
    afterAll(() => push.close());
    const pushArgs = (): string[] => ['test-auth', '--server', push.address, '--secret', SECRET.toString(), '--user', 'bob', '--password', 'pw', '--timeout', '2', '--retries', '0'];

    it('presses Enter every 2 s until the approval, printing the prompt with the number once; exit 0', async () => {
      const before = push.received.length;
      const running = runCli([...pushArgs(), '--wait-push', '60']);
      // Two "Still waiting" answers seen: approve, as the person on the phone would.
      await expect.poll(() => push.received.length - before, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
      push.approve();
      const run = await running;
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Reply-Message: ${JSON.stringify(Prompts.approvePush(27))}`);
      expect(run.stdout).toContain('waiting up to 60 s for the approval, pressing Enter every 2 s (--wait-push)');
      expect(run.stdout.split(Prompts.stillWaiting(27)).length - 1).toBe(1);
      expect(run.stdout).toContain('result: accept');
      const answers = push.received.slice(before + 1);
      expect(answers.length).toBeGreaterThanOrEqual(3);
      expect(answers.every((a) => a.password === '' && a.state === 'c0ffee' && a.verified)).toBe(true);
    }, 60_000);
  });

  it('--wait-push gives up after its seconds; without it, the error names the option', async () => {
    const never = await startPushResponder();
    try {
      const run = await runCli(['test-auth', '--server', never.address, '--secret', SECRET.toString(), '--user', 'bob', '--password', 'pw', '--timeout', '2', '--retries', '0', '--wait-push', '1']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('not approved within 1 s (--wait-push)');
      expect(run.stdout).toContain('result: unanswered-challenge');
      const plain = await runCli(['test-auth', '--server', never.address, '--secret', SECRET.toString(), '--user', 'bob', '--password', 'pw', '--timeout', '2', '--retries', '0']);
      expect(plain.stderr).toContain('add --wait-push SECONDS');
    } finally {
      await never.close();
    }
  });

  it('--wait-push never answers a code prompt with an empty code (it would count as a wrong one)', async () => {
    const before = responder.received.length;
    const run = await runCli([...base(), '--password', 'pw', '--wait-push', '30']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--wait-push answers only a push or call approval prompt');
    expect(responder.received.length - before).toBe(1);
  });

  it('exits 2 with a usage error on a bad server address', async () => {
    const run = await runCli(['test-auth', '--server', 'host:99999', '--secret', 'x', '--user', 'u']);
    expect(run.code).toBe(2);
  });
});
