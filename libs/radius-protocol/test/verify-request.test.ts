import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Attr,
  Code,
  RadiusProtocolError,
  buildRequest,
  decodePacket,
  textAttribute,
  verifyRequest,
  type DropReason,
  type RadiusAttribute,
} from '@radius-mfa/radius-protocol';

const secret = Buffer.from('s3cret-for-tests');
const user = textAttribute(Attr.UserName, 'alice');

function reasonOf(datagram: Buffer, requireMessageAuthenticator = true, key = secret): DropReason | undefined {
  try {
    verifyRequest(decodePacket(datagram), { secret: key, requireMessageAuthenticator });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(RadiusProtocolError);
    return (error as RadiusProtocolError).reason;
  }
}

function request(code: number, attributes: RadiusAttribute[], messageAuthenticator: boolean): Buffer {
  return buildRequest({ code, identifier: 1, attributes, secret, messageAuthenticator });
}

/** Hand-built Access-Request with a Message-Authenticator computed independently of the codec (RFC 3579 §3.2). */
function handSignedAccessRequest(): Buffer {
  const packet = Buffer.concat([
    Buffer.from([1, 9, 0, 20 + 18 + 7]),
    Buffer.alloc(16, 0x5a),
    Buffer.from([80, 18]),
    Buffer.alloc(16),
    Buffer.from([1, 7, ...Buffer.from('alice')]),
  ]);
  createHmac('md5', secret).update(packet).digest().copy(packet, 22);
  return packet;
}

describe('verifyRequest: Message-Authenticator (PROTOCOL-CASES 11-14, 33)', () => {
  it('accepts a request signed by an independent HMAC-MD5 computation', () => {
    expect(reasonOf(handSignedAccessRequest())).toBeUndefined();
  });

  it('drops a wrong value, a wrong secret, or a tampered packet', () => {
    const tampered = handSignedAccessRequest();
    tampered[tampered.length - 1]! ^= 1;
    expect(reasonOf(tampered)).toBe('bad_message_authenticator');
    expect(reasonOf(handSignedAccessRequest(), true, Buffer.from('other'))).toBe('bad_message_authenticator');
    const wrongAuthenticator = handSignedAccessRequest();
    wrongAuthenticator[4]! ^= 1;
    expect(reasonOf(wrongAuthenticator)).toBe('bad_message_authenticator');
  });

  it('drops a missing Message-Authenticator when required, accepts it when not', () => {
    const plain = request(Code.AccessRequest, [user], false);
    expect(reasonOf(plain, true)).toBe('missing_message_authenticator');
    expect(reasonOf(plain, false)).toBeUndefined();
  });

  it('drops Status-Server without Message-Authenticator even when not required', () => {
    const statusServer = Buffer.concat([Buffer.from([12, 1, 0, 20]), Buffer.alloc(16, 1)]);
    expect(reasonOf(statusServer, false)).toBe('missing_message_authenticator');
    expect(reasonOf(request(Code.StatusServer, [], false), false)).toBeUndefined();
  });

  it('drops Proxy-State or EAP-Message without Message-Authenticator even when not required', () => {
    expect(reasonOf(request(Code.AccessRequest, [user, { type: Attr.ProxyState, value: Buffer.from('p') }], false), false)).toBe(
      'proxy_state_without_message_authenticator',
    );
    expect(reasonOf(request(Code.AccessRequest, [user, { type: Attr.EAPMessage, value: Buffer.from([2, 0, 0, 5, 1]) }], false), false)).toBe(
      'eap_without_message_authenticator',
    );
  });

  it('drops a Message-Authenticator of length other than 18, and two of them', () => {
    const short = Buffer.concat([Buffer.from([1, 1, 0, 20 + 17]), Buffer.alloc(16, 2), Buffer.from([80, 17]), Buffer.alloc(15)]);
    expect(reasonOf(short)).toBe('bad_message_authenticator');
    const signed = handSignedAccessRequest();
    const twice = Buffer.concat([signed, signed.subarray(20, 38)]);
    twice.writeUInt16BE(twice.length, 2);
    expect(reasonOf(twice)).toBe('bad_message_authenticator');
  });
});

describe('verifyRequest: Accounting-Request authenticator (PROTOCOL-CASES 36)', () => {
  /** RFC 2866 §3, computed here without the codec. */
  function handSignedAccountingRequest(key: Buffer): Buffer {
    const packet = Buffer.concat([Buffer.from([4, 3, 0, 26]), Buffer.alloc(16), Buffer.from([40, 6, 0, 0, 0, 1])]);
    createHash('md5').update(packet).update(key).digest().copy(packet, 4);
    return packet;
  }

  it('accepts a correct authenticator without Message-Authenticator, whatever requireMessageAuthenticator says', () => {
    expect(reasonOf(handSignedAccountingRequest(secret), true)).toBeUndefined();
  });

  it('drops a wrong authenticator', () => {
    expect(reasonOf(handSignedAccountingRequest(Buffer.from('other')))).toBe('bad_request_authenticator');
  });

  it('checks a Message-Authenticator over the zeroed authenticator', () => {
    const built = request(Code.AccountingRequest, [{ type: Attr.AcctStatusType, value: Buffer.from([0, 0, 0, 1]) }], true);
    expect(reasonOf(built)).toBeUndefined();
    const packet = Buffer.from(built);
    packet.fill(0, 4, 20);
    const expected = createHmac('md5', secret).update(Buffer.concat([packet.subarray(0, 22), Buffer.alloc(16), packet.subarray(38)])).digest();
    expect(built.subarray(22, 38)).toEqual(expected);
  });
});
