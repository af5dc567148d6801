import { describe, expect, it } from 'vitest';
import {
  Attr,
  Code,
  computePacketAuthenticator,
  decodePacket,
  findAttribute,
  hidePassword,
  unhidePassword,
  verifyResponse,
} from '@radius-mfa/radius-protocol';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

// RFC 2865 §7.1: User Telnet to Specified Host, shared secret "xyzzy5461", password "arctangent".
const secret = Buffer.from('xyzzy5461');
const accessRequest = hex(`
  01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb
  98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
  93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8
  01 10 05 06 00 00 00 03`);
const accessAccept = hex(`
  02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf
  9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
  0e 06 c0 a8 01 03`);

describe('RFC 2865 §7.1 example', () => {
  it('decodes the Access-Request attribute by attribute', () => {
    const packet = decodePacket(accessRequest);
    expect(packet.code).toBe(Code.AccessRequest);
    expect(packet.identifier).toBe(0);
    expect(packet.attributes.map((a) => a.type)).toEqual([Attr.UserName, Attr.UserPassword, Attr.NASIPAddress, Attr.NASPort]);
    expect(findAttribute(packet, Attr.UserName)?.toString()).toBe('nemo');
    expect(findAttribute(packet, Attr.NASIPAddress)).toEqual(hex('c0a80110'));
  });

  it('unhides User-Password to "arctangent" and hides it back to the same bytes', () => {
    const packet = decodePacket(accessRequest);
    const hidden = findAttribute(packet, Attr.UserPassword)!;
    const clear = unhidePassword(hidden, secret, packet.authenticator);
    expect(clear.toString()).toBe('arctangent');
    expect(hidePassword(clear, secret, packet.authenticator)).toEqual(hidden);
  });

  it('computes the Access-Accept Response Authenticator byte for byte', () => {
    const request = decodePacket(accessRequest);
    expect(computePacketAuthenticator(accessAccept, request.authenticator, secret)).toEqual(accessAccept.subarray(4, 20));
  });

  it('accepts the Access-Accept as a client and refuses it under another secret', () => {
    const request = decodePacket(accessRequest);
    const reply = verifyResponse(accessAccept, request, secret);
    expect(reply.code).toBe(Code.AccessAccept);
    expect(findAttribute(reply, Attr.LoginIPHost)).toEqual(hex('c0a80103'));
    expect(() => verifyResponse(accessAccept, request, Buffer.from('other'))).toThrow(
      expect.objectContaining({ reason: 'bad_request_authenticator' }),
    );
  });
});

// RFC 2865 §7.2: Framed User Authenticating with CHAP (the RFC gives no secret for it).
const chapRequest = hex(`
  01 01 00 47 2a ee 86 f0 8d 0d 55 96 9c a5 97 8e
  0d 33 67 a2 01 08 66 6c 6f 70 73 79 03 13 16 e9
  75 57 c3 16 18 58 95 f2 93 ff 63 44 07 72 75 04
  06 c0 a8 01 10 05 06 00 00 00 14 06 06 00 00 00
  02 07 06 00 00 00 01`);
// RFC 2865 §7.3: an Access-Challenge with Reply-Message and State.
const challenge = hex(`
  0b 02 00 4e 36 f3 c8 76 4a e8 c7 11 57 40 3c 0c
  71 ff 9c 45 12 30 43 68 61 6c 6c 65 6e 67 65 20
  33 32 37 36 39 34 33 30 2e 20 20 45 6e 74 65 72
  20 72 65 73 70 6f 6e 73 65 20 61 74 20 70 72 6f
  6d 70 74 2e 18 0a 33 32 37 36 39 34 33 30`);

describe('RFC 2865 §7.2 and §7.3 examples', () => {
  it('decodes the CHAP request: flopsy, CHAP ident 22, 17-byte CHAP-Password', () => {
    const request = decodePacket(chapRequest);
    expect(findAttribute(request, Attr.UserName)?.toString()).toBe('flopsy');
    expect(findAttribute(request, Attr.CHAPPassword)?.[0]).toBe(22);
    expect(findAttribute(request, Attr.CHAPPassword)?.length).toBe(17);
    expect(findAttribute(request, Attr.NASPort)).toEqual(hex('00000014'));
    expect(request.attributes.map((a) => a.type)).toEqual([
      Attr.UserName, Attr.CHAPPassword, Attr.NASIPAddress, Attr.NASPort, Attr.ServiceType, Attr.FramedProtocol,
    ]);
  });

  it('decodes the Access-Challenge', () => {
    const packet = decodePacket(challenge);
    expect(packet.code).toBe(Code.AccessChallenge);
    expect(findAttribute(packet, Attr.ReplyMessage)?.toString()).toBe('Challenge 32769430.  Enter response at prompt.');
    expect(findAttribute(packet, Attr.State)?.toString()).toBe('32769430');
  });
});
