import { describe, expect, it } from 'vitest';
import {
  Attr,
  Code,
  RadiusProtocolError,
  buildRequest,
  buildResponse,
  decodePacket,
  findAttribute,
  hidePassword,
  textAttribute,
  unhidePassword,
  verifyRequest,
  verifyResponse,
} from '@radius-mfa/radius-protocol';

const secret = Buffer.from('client-secret');

describe('buildRequest', () => {
  it('uses the given authenticator, puts Message-Authenticator first and passes verifyRequest', () => {
    const authenticator = Buffer.alloc(16, 9);
    const password = hidePassword(Buffer.from('pw'), secret, authenticator);
    const datagram = buildRequest({
      code: Code.AccessRequest,
      identifier: 200,
      authenticator,
      attributes: [textAttribute(Attr.UserName, 'carol'), { type: Attr.UserPassword, value: password }],
      secret,
      messageAuthenticator: true,
    });
    const packet = decodePacket(datagram);
    expect(packet.identifier).toBe(200);
    expect(packet.authenticator).toEqual(authenticator);
    expect(packet.attributes.map((a) => a.type)).toEqual([Attr.MessageAuthenticator, Attr.UserName, Attr.UserPassword]);
    verifyRequest(packet, { secret, requireMessageAuthenticator: true });
    expect(unhidePassword(findAttribute(packet, Attr.UserPassword)!, secret, packet.authenticator).toString()).toBe('pw');
  });

  it('draws a fresh random authenticator when none is given', () => {
    const one = buildRequest({ code: Code.AccessRequest, identifier: 1, attributes: [], secret, messageAuthenticator: false });
    const two = buildRequest({ code: Code.AccessRequest, identifier: 1, attributes: [], secret, messageAuthenticator: false });
    expect(one.subarray(4, 20)).not.toEqual(two.subarray(4, 20));
  });

  it('always signs Status-Server (RFC 5997 §3)', () => {
    const packet = decodePacket(buildRequest({ code: Code.StatusServer, identifier: 1, attributes: [], secret, messageAuthenticator: false }));
    expect(packet.attributes[0]?.type).toBe(Attr.MessageAuthenticator);
    verifyRequest(packet, { secret, requireMessageAuthenticator: true });
  });

  it('refuses a value longer than 253 bytes', () => {
    expect(() =>
      buildRequest({ code: Code.AccessRequest, identifier: 1, attributes: [{ type: Attr.Class, value: Buffer.alloc(254) }], secret, messageAuthenticator: false }),
    ).toThrow(expect.objectContaining({ reason: 'malformed_attribute' }));
  });
});

describe('verifyResponse', () => {
  const request = decodePacket(buildRequest({ code: Code.AccessRequest, identifier: 8, attributes: [], secret, messageAuthenticator: true }));

  it('refuses a reply for another identifier or with a bad authenticator', () => {
    const reply = buildResponse(request, Code.AccessAccept, [], secret);
    expect(() => verifyResponse(reply, { identifier: 9, authenticator: request.authenticator }, secret)).toThrow(
      expect.objectContaining({ reason: 'unexpected_code' }),
    );
    expect(() => verifyResponse(reply, { identifier: 8, authenticator: Buffer.alloc(16) }, secret)).toThrow(
      expect.objectContaining({ reason: 'bad_request_authenticator' }),
    );
  });

  it('refuses a request code as a reply', () => {
    const datagram = buildRequest({ code: Code.AccessRequest, identifier: 8, attributes: [], secret, messageAuthenticator: false });
    expect(() => verifyResponse(datagram, request, secret)).toThrow(RadiusProtocolError);
  });

  it('requires Message-Authenticator only when asked', () => {
    const accountingRequest = decodePacket(buildRequest({ code: Code.AccountingRequest, identifier: 8, attributes: [], secret, messageAuthenticator: false }));
    const reply = buildResponse(accountingRequest, Code.AccountingResponse, [], secret);
    expect(verifyResponse(reply, accountingRequest, secret).code).toBe(Code.AccountingResponse);
    expect(() => verifyResponse(reply, accountingRequest, secret, { requireMessageAuthenticator: true })).toThrow(
      expect.objectContaining({ reason: 'missing_message_authenticator' }),
    );
  });

  it('refuses a reply whose Message-Authenticator was forged after the Response Authenticator', () => {
    const reply = Buffer.from(buildResponse(request, Code.AccessAccept, [], secret));
    reply[30]! ^= 1;
    // The Response Authenticator covers the MA too, so the first check already fails.
    expect(() => verifyResponse(reply, request, secret)).toThrow(RadiusProtocolError);
  });
});
