import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Attr,
  Code,
  MicrosoftAttr,
  Vendor,
  buildRequest,
  attributeName,
  buildResponse,
  decodePacket,
  decodeValue,
  hidePassword,
  integerAttribute,
  textAttribute,
  verifyRequest,
  vendorAttribute,
  type RadiusAttribute,
} from '@radius-mfa/radius-protocol';

// The `radius` npm package (1.1.4) as an independent oracle on valid packets.
interface RadiusDecoded {
  code: string;
  identifier: number;
  attributes: Record<string, unknown>;
  raw_attributes: [number, Buffer][];
}
interface RadiusPackage {
  add_dictionary(path: string): void;
  decode(args: { packet: Buffer; secret: string }): RadiusDecoded;
  encode(args: { code: string; identifier: number; secret: string; attributes: [string, unknown][]; add_message_authenticator?: boolean }): Buffer;
  verify_response(args: { request: Buffer; response: Buffer; secret: string }): boolean;
}
const radius = createRequire(import.meta.url)('radius') as RadiusPackage;
radius.add_dictionary(fileURLToPath(new URL('../dictionaries/dictionary.microsoft', import.meta.url)));

const secretText = 'differential-secret';
const secret = Buffer.from(secretText);

describe('our encoding, decoded by the radius package', () => {
  it('an Access-Request with Message-Authenticator, PAP, enum, address and a Microsoft VSA', () => {
    const authenticator = Buffer.alloc(16, 0x42);
    const datagram = buildRequest({
      code: Code.AccessRequest,
      identifier: 77,
      authenticator,
      secret,
      messageAuthenticator: true,
      attributes: [
        textAttribute(Attr.UserName, 'zoë'),
        { type: Attr.UserPassword, value: hidePassword(Buffer.from('pässword'), secret, authenticator) },
        { type: Attr.NASIPAddress, value: Buffer.from([192, 0, 2, 7]) },
        integerAttribute(Attr.ServiceType, 8),
        integerAttribute(Attr.NASPort, 1234),
        vendorAttribute(Vendor.Microsoft, MicrosoftAttr.MSCHAPDomain, Buffer.from('CORP')),
      ],
    });
    // radius.decode verifies the Message-Authenticator itself and throws on a mismatch.
    const theirs = radius.decode({ packet: datagram, secret: secretText });
    expect(theirs.code).toBe('Access-Request');
    expect(theirs.identifier).toBe(77);
    expect(theirs.attributes).toMatchObject({
      'User-Name': 'zoë',
      'User-Password': 'pässword',
      'NAS-IP-Address': '192.0.2.7',
      'Service-Type': 'Authenticate-Only',
      'NAS-Port': 1234,
      'Vendor-Specific': { 'MS-CHAP-Domain': 'CORP' },
    });
    expect(theirs.attributes['Message-Authenticator']).toBeInstanceOf(Buffer);
    const ours = decodePacket(datagram);
    expect(ours.attributes.map((a) => [a.type, a.value])).toEqual(theirs.raw_attributes);
  });

  it('an Accounting-Request whose authenticator the radius package checks', () => {
    const datagram = buildRequest({
      code: Code.AccountingRequest,
      identifier: 3,
      secret,
      messageAuthenticator: false,
      attributes: [integerAttribute(Attr.AcctStatusType, 1), textAttribute(Attr.AcctSessionId, 'sess-1')],
    });
    expect(radius.decode({ packet: datagram, secret: secretText }).attributes).toMatchObject({ 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 'sess-1' });
    expect(() => radius.decode({ packet: datagram, secret: 'wrong' })).toThrow();
  });

  it('an Access-Accept that radius.verify_response accepts, Message-Authenticator included', () => {
    const request = buildRequest({
      code: Code.AccessRequest,
      identifier: 9,
      secret,
      messageAuthenticator: true,
      attributes: [textAttribute(Attr.UserName, 'u'), { type: Attr.ProxyState, value: Buffer.from('ps1') }],
    });
    const response = buildResponse(decodePacket(request), Code.AccessAccept, [textAttribute(Attr.ReplyMessage, 'ok')], secret);
    expect(radius.verify_response({ request, response: Buffer.from(response), secret: secretText })).toBe(true);
    expect(radius.verify_response({ request, response: Buffer.from(response), secret: 'wrong' })).toBe(false);
    expect(radius.decode({ packet: response, secret: secretText }).attributes).toMatchObject({ 'Reply-Message': 'ok', 'Proxy-State': Buffer.from('ps1') });
  });

  it('random string, integer and address attributes decode to the same values in both (property)', () => {
    const attribute = fc.oneof(
      fc.record({ type: fc.constantFrom(Attr.UserName, Attr.FilterId, Attr.CalledStationId, Attr.NASIdentifier), value: fc.string({ minLength: 1, maxLength: 60 }) })
        .map(({ type, value }) => textAttribute(type, value)),
      fc.record({ type: fc.constantFrom(Attr.NASPort, Attr.SessionTimeout, Attr.IdleTimeout), value: fc.nat() }).map(({ type, value }) => integerAttribute(type, value)),
      fc.record({ type: fc.constantFrom(Attr.NASIPAddress, Attr.FramedIPAddress), value: fc.uint8Array({ minLength: 4, maxLength: 4 }) })
        .map(({ type, value }): RadiusAttribute => ({ type, value: Buffer.from(value) })),
    );
    fc.assert(
      fc.property(fc.array(attribute, { minLength: 1, maxLength: 15 }), (attributes) => {
        const datagram = buildRequest({ code: Code.AccessRequest, identifier: 1, secret, messageAuthenticator: true, attributes });
        const theirs = radius.decode({ packet: datagram, secret: secretText });
        const ours = decodePacket(datagram);
        expect(ours.attributes.map((a) => [a.type, a.value])).toEqual(theirs.raw_attributes);
        for (const a of attributes) {
          const view = decodeValue(a.type, a.value);
          const theirValue = theirs.attributes[attributeName(a.type)!];
          const values = Array.isArray(theirValue) ? theirValue : [theirValue];
          const ourValue = 'value' in view && !Buffer.isBuffer(view.value) ? view.value : undefined;
          expect(values).toContainEqual(ourValue);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('the radius package\'s encoding, decoded and verified by ours', () => {
  it('an Access-Request with Message-Authenticator passes verifyRequest with identical attributes', () => {
    const datagram = radius.encode({
      code: 'Access-Request',
      identifier: 12,
      secret: secretText,
      add_message_authenticator: true,
      attributes: [
        ['User-Name', 'mallory'],
        ['NAS-IP-Address', '10.1.2.3'],
        ['Service-Type', 'Framed-User'],
        ['Proxy-State', Buffer.from('x')],
      ],
    });
    const packet = decodePacket(datagram);
    verifyRequest(packet, { secret, requireMessageAuthenticator: true });
    expect(packet.attributes.map((a) => [a.type, a.value])).toEqual(radius.decode({ packet: datagram, secret: secretText }).raw_attributes);
    expect(decodeValue(Attr.ServiceType, packet.attributes.find((a) => a.type === Attr.ServiceType)!.value)).toEqual({ kind: 'integer', value: 2, name: 'Framed-User' });
  });

  it('an Accounting-Request passes our authenticator check, and fails under another secret', () => {
    const datagram = radius.encode({ code: 'Accounting-Request', identifier: 4, secret: secretText, attributes: [['Acct-Status-Type', 'Stop']] });
    verifyRequest(decodePacket(datagram), { secret, requireMessageAuthenticator: true });
    expect(() => verifyRequest(decodePacket(datagram), { secret: Buffer.from('x'), requireMessageAuthenticator: true })).toThrow(
      expect.objectContaining({ reason: 'bad_request_authenticator' }),
    );
  });
});
