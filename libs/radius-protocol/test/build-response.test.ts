import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Attr,
  Code,
  RadiusProtocolError,
  buildRequest,
  buildResponse,
  decodePacket,
  findAttributes,
  integerAttribute,
  replyMessageAttributes,
  textAttribute,
  verifyResponse,
} from '@radius-mfa/radius-protocol';

const secret = Buffer.from('response-secret');

function accessRequest(proxyStates: Buffer[] = []) {
  const datagram = buildRequest({
    code: Code.AccessRequest,
    identifier: 42,
    attributes: [textAttribute(Attr.UserName, 'bob'), ...proxyStates.map((value) => ({ type: Attr.ProxyState, value }))],
    secret,
    messageAuthenticator: true,
  });
  return decodePacket(datagram);
}

describe('buildResponse (PROTOCOL-CASES 15, 26, 27)', () => {
  it('puts Message-Authenticator first in Access-Accept, -Reject and -Challenge, signed as RFC 3579 §3.2 says', () => {
    const request = accessRequest();
    for (const code of [Code.AccessAccept, Code.AccessReject, Code.AccessChallenge]) {
      const response = buildResponse(request, code, [textAttribute(Attr.ReplyMessage, 'hi')], secret);
      expect(response[0]).toBe(code);
      expect(response[1]).toBe(42);
      expect(response.readUInt16BE(2)).toBe(response.length);
      expect(response.subarray(20, 22)).toEqual(Buffer.from([80, 18]));
      // Independent computation: HMAC over the packet with the Request Authenticator and a zero MA.
      const unsigned = Buffer.from(response);
      request.authenticator.copy(unsigned, 4);
      unsigned.fill(0, 22, 38);
      expect(response.subarray(22, 38)).toEqual(createHmac('md5', secret).update(unsigned).digest());
      // Response Authenticator (RFC 2865 §3) over the packet including the MA.
      const withRequestAuthenticator = Buffer.from(response);
      request.authenticator.copy(withRequestAuthenticator, 4);
      expect(response.subarray(4, 20)).toEqual(createHash('md5').update(withRequestAuthenticator).update(secret).digest());
      expect(verifyResponse(response, request, secret, { requireMessageAuthenticator: true }).code).toBe(code);
    }
  });

  it('drops a caller-supplied Message-Authenticator so there is exactly one', () => {
    const response = buildResponse(accessRequest(), Code.AccessAccept, [{ type: Attr.MessageAuthenticator, value: Buffer.alloc(16, 7) }], secret);
    expect(findAttributes(decodePacket(response), Attr.MessageAuthenticator)).toHaveLength(1);
  });

  it('copies every Proxy-State in order, unchanged, at the end', () => {
    const states = [Buffer.from('first'), Buffer.from([0, 1, 2]), Buffer.from('first')];
    const response = decodePacket(buildResponse(accessRequest(states), Code.AccessReject, [integerAttribute(Attr.SessionTimeout, 30)], secret));
    expect(response.attributes.map((a) => a.type)).toEqual([Attr.MessageAuthenticator, Attr.SessionTimeout, 33, 33, 33]);
    expect(findAttributes(response, Attr.ProxyState)).toEqual(states);
  });

  it('answers Accounting-Request with an Accounting-Response without Message-Authenticator', () => {
    const request = decodePacket(
      buildRequest({ code: Code.AccountingRequest, identifier: 3, attributes: [integerAttribute(Attr.AcctStatusType, 1)], secret, messageAuthenticator: false }),
    );
    const response = buildResponse(request, Code.AccountingResponse, [], secret);
    expect(response.length).toBe(20);
    expect(verifyResponse(response, request, secret).code).toBe(Code.AccountingResponse);
  });

  it('answers Status-Server with a signed Access-Accept', () => {
    const request = decodePacket(buildRequest({ code: Code.StatusServer, identifier: 5, attributes: [], secret, messageAuthenticator: true }));
    const response = buildResponse(request, Code.AccessAccept, [], secret);
    expect(verifyResponse(response, request, secret, { requireMessageAuthenticator: true }).attributes[0]?.type).toBe(Attr.MessageAuthenticator);
  });

  it('answers Status-Server on the accounting port with a signed Accounting-Response', () => {
    const request = decodePacket(buildRequest({ code: Code.StatusServer, identifier: 6, attributes: [], secret, messageAuthenticator: true }));
    const response = buildResponse(request, Code.AccountingResponse, [], secret);
    expect(response.subarray(20, 22)).toEqual(Buffer.from([80, 18]));
    expect(verifyResponse(response, request, secret, { requireMessageAuthenticator: true }).code).toBe(Code.AccountingResponse);
  });

  it('refuses a code that does not answer the request', () => {
    expect(() => buildResponse(accessRequest(), Code.AccountingResponse, [], secret)).toThrow(expect.objectContaining({ reason: 'unexpected_code' }));
    expect(() => buildResponse(accessRequest(), Code.AccessRequest, [], secret)).toThrow(RadiusProtocolError);
  });

  it('refuses to produce more than 4096 bytes when Proxy-States would overflow it', () => {
    // 15 Proxy-States of 253 bytes fit in a request (20 + 18 + 5 + 15*255 = 3868); the reply adds a long Reply-Message.
    const states = Array.from({ length: 15 }, (_, i) => Buffer.alloc(253, i));
    const request = accessRequest(states);
    expect(() => buildResponse(request, Code.AccessAccept, replyMessageAttributes('x'.repeat(253 * 2)), secret)).toThrow(
      expect.objectContaining({ reason: 'response_too_large' }),
    );
    expect(buildResponse(request, Code.AccessAccept, [], secret).length).toBe(20 + 18 + 15 * 255);
  });
});
