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
    let code: number = Code.AccessReject;
    let attributes: RadiusAttribute[] = replyMessageAttributes('Access denied');
    if (!state && password === 'pw') {
      code = Code.AccessChallenge;
      attributes = [...replyMessageAttributes('Enter the code from your authenticator app'), { type: Attr.State, value: STATE }];
    } else if (state?.equals(STATE) && password === '123456') {
      code = Code.AccessAccept;
      attributes = [textAttribute(Attr.Class, 'vpn-users'), ...replyMessageAttributes('Welcome')];
    }
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

  it('exits 2 with a usage error on a bad server address', async () => {
    const run = await runCli(['test-auth', '--server', 'host:99999', '--secret', 'x', '--user', 'u']);
    expect(run.code).toBe(2);
  });
});
