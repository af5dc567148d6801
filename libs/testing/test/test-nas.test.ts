// TestNas and its reply check: what a BlastRADIUS-aware NAS accepts, against a responder on a real socket.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Attr,
  Code,
  RadiusProtocolError,
  buildResponse,
  computeMessageAuthenticator,
  computePacketAuthenticator,
  decodePacket,
  findAttribute,
  messageAuthenticatorValueOffset,
  replyMessageAttributes,
  unhidePassword,
  type RadiusPacket,
} from '@radius-mfa/radius-protocol';
import { MessageAuthenticatorNotFirstError, TestNas, buildTestRequest, verifyTestReply } from '@radius-mfa/testing';

const SECRET = 'test-nas-secret';

/** An Access-Accept with Reply-Message before Message-Authenticator, both authenticators correct. */
function acceptWithMessageAuthenticatorLast(request: RadiusPacket): Buffer {
  const reply = Buffer.concat([Buffer.alloc(20), Buffer.from([Attr.ReplyMessage, 4]), Buffer.from('ok'), Buffer.from([Attr.MessageAuthenticator, 18]), Buffer.alloc(16)]);
  reply[0] = Code.AccessAccept;
  reply[1] = request.identifier;
  reply.writeUInt16BE(reply.length, 2);
  const offset = messageAuthenticatorValueOffset(reply);
  computeMessageAuthenticator(reply, offset, request.authenticator, Buffer.from(SECRET)).copy(reply, offset);
  computePacketAuthenticator(reply, request.authenticator, Buffer.from(SECRET)).copy(reply, 4);
  return reply;
}

describe('TestNas', () => {
  let responder: Socket;
  let port: number;
  const seen: { user: string; password: string; state?: string }[] = [];
  let nas: TestNas;

  beforeAll(async () => {
    responder = createSocket('udp4');
    // The User-Name says how to answer: "accept", "wrong-secret" or "ma-last".
    responder.on('message', (datagram, from) => {
      const request = decodePacket(datagram);
      const user = findAttribute(request, Attr.UserName)?.toString() ?? '';
      const hidden = findAttribute(request, Attr.UserPassword);
      const state = findAttribute(request, Attr.State);
      seen.push({ user, password: hidden ? unhidePassword(hidden, Buffer.from(SECRET), request.authenticator).toString() : '', ...(state && { state: state.toString() }) });
      const reply =
        user === 'ma-last'
          ? acceptWithMessageAuthenticatorLast(request)
          : buildResponse(request, Code.AccessAccept, replyMessageAttributes('welcome'), Buffer.from(user === 'wrong-secret' ? 'another-secret' : SECRET));
      responder.send(reply, from.port, from.address);
    });
    await new Promise<void>((resolve) => responder.bind(0, '127.0.0.1', resolve));
    port = responder.address().port;
    nas = await TestNas.open();
  });

  afterAll(async () => {
    await nas.close();
    await new Promise<void>((resolve) => responder.close(() => resolve()));
  });

  it('sends User-Name, the hidden password and State, Message-Authenticator first, and verifies the reply', async () => {
    const request = buildTestRequest({ secret: SECRET, user: 'accept', password: 'pw-1', state: Buffer.from('st') });
    expect(decodePacket(request).attributes.map((a) => a.type)).toEqual([Attr.MessageAuthenticator, Attr.UserName, Attr.UserPassword, Attr.State]);
    const reply = await nas.exchange(request, port, SECRET);
    expect(reply.code).toBe(Code.AccessAccept);
    expect(seen.at(-1)).toEqual({ user: 'accept', password: 'pw-1', state: 'st' });
  });

  it('refuses a reply signed with another secret', async () => {
    await expect(nas.exchange(buildTestRequest({ secret: SECRET, user: 'wrong-secret' }), port, SECRET)).rejects.toThrow(RadiusProtocolError);
  });

  it('refuses an Access-Accept whose Message-Authenticator is not first, though both authenticators are right', async () => {
    const request = buildTestRequest({ secret: SECRET, user: 'ma-last' });
    nas.send(request, port);
    const reply = await nas.receive();
    expect(() => verifyTestReply(reply, request, SECRET)).toThrow(MessageAuthenticatorNotFirstError);
    expect(nas.unread).toBe(0);
  });

  it('gives up waiting after the timeout', async () => {
    await expect(nas.receive(50)).rejects.toThrow(/no datagram within 50 ms/);
  });
});
