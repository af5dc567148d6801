import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Attr, MicrosoftAttr, Vendor, decryptMppeKey, encryptMppeKey, parseVendorSpecific, unhidePassword, vendorAttribute } from '@radius-mfa/radius-protocol';
import { reencryptMppeKeys } from '@radius-mfa/directory';
import { upstreamRequestAttributes } from '../src/radius/upstream-request.js';

const secret = Buffer.from('upstream-secret');

describe('upstreamRequestAttributes', () => {
  const nasAttributes = [
    { type: Attr.UserName, value: Buffer.from('CONTOSO\\Alice') },
    { type: Attr.UserPassword, value: randomBytes(16) },
    { type: Attr.State, value: Buffer.from('our-state') },
    { type: Attr.ProxyState, value: Buffer.from('nas-proxy-state') },
    { type: Attr.MessageAuthenticator, value: Buffer.alloc(16) },
    { type: Attr.CallingStationId, value: Buffer.from('10.1.2.3') },
    vendorAttribute(Vendor.Microsoft, MicrosoftAttr.MSCHAPChallenge, randomBytes(16)),
    vendorAttribute(9, 1, Buffer.from('cisco-avpair')),
  ];

  it('re-hides PAP for the upstream hop and passes through only what is not ours', () => {
    const authenticator = randomBytes(16);
    const attributes = upstreamRequestAttributes(
      { user: 'alice', password: Buffer.from('pw'), requestAttributes: nasAttributes },
      { secret, authenticator, userName: 'as-received' },
    );
    expect(attributes.map((attribute) => attribute.type)).toEqual([Attr.UserName, Attr.UserPassword, Attr.CallingStationId, Attr.VendorSpecific]);
    expect(attributes[0]!.value.toString()).toBe('CONTOSO\\Alice');
    expect(unhidePassword(attributes[1]!.value, secret, authenticator).toString()).toBe('pw');
    expect(parseVendorSpecific(attributes[3]!.value)?.vendorId).toBe(9);
  });

  it('sends the normalised name when configured to', () => {
    const attributes = upstreamRequestAttributes(
      { user: 'alice', password: Buffer.from('pw'), requestAttributes: nasAttributes },
      { secret, authenticator: randomBytes(16), userName: 'normalized' },
    );
    expect(attributes[0]!.value.toString()).toBe('alice');
  });

  it('always carries the CHAP challenge explicitly', () => {
    const challenge = randomBytes(16);
    const attributes = upstreamRequestAttributes(
      { user: 'alice', chap: { id: 9, response: randomBytes(16), challenge } },
      { secret, authenticator: randomBytes(16), userName: 'as-received' },
    );
    expect(attributes.find((attribute) => attribute.type === Attr.CHAPChallenge)?.value).toEqual(challenge);
    expect(attributes.find((attribute) => attribute.type === Attr.CHAPPassword)?.value[0]).toBe(9);
  });

  it('builds MS-CHAP-Challenge and a 50-byte MS-CHAP2-Response, with the raw user name', () => {
    const mschapv2 = {
      peerChallenge: randomBytes(16),
      ntResponse: randomBytes(24),
      authenticatorChallenge: randomBytes(16),
      ident: 42,
      userNameRaw: Buffer.from('CONTOSO\\Alice'),
    };
    const attributes = upstreamRequestAttributes({ user: 'alice', mschapv2 }, { secret, authenticator: randomBytes(16), userName: 'normalized' });
    expect(attributes[0]!.value.toString()).toBe('CONTOSO\\Alice');
    const microsoft = attributes.filter((attribute) => attribute.type === Attr.VendorSpecific).map((attribute) => parseVendorSpecific(attribute.value)!.attributes[0]!);
    expect(microsoft.map((sub) => sub.type)).toEqual([MicrosoftAttr.MSCHAPChallenge, MicrosoftAttr.MSCHAP2Response]);
    const response = microsoft[1]!.value;
    expect(response).toHaveLength(50);
    expect(response[0]).toBe(42);
    expect(response.subarray(2, 18)).toEqual(mschapv2.peerChallenge);
    expect(response.subarray(26)).toEqual(mschapv2.ntResponse);
  });
});

describe('reencryptMppeKeys (RFC 2548 §2.4.2)', () => {
  const key = randomBytes(16);
  const from = { secret: Buffer.from('hop-one'), requestAuthenticator: randomBytes(16) };
  const to = { secret: Buffer.from('hop-two'), requestAuthenticator: randomBytes(16) };
  const attributes = [
    vendorAttribute(Vendor.Microsoft, MicrosoftAttr.MSMPPESendKey, encryptMppeKey(key, from.secret, from.requestAuthenticator)),
    vendorAttribute(Vendor.Microsoft, MicrosoftAttr.MSMPPERecvKey, encryptMppeKey(key, from.secret, from.requestAuthenticator)),
    vendorAttribute(Vendor.Microsoft, MicrosoftAttr.MSCHAP2Success, Buffer.from('\x01S=00')),
    { type: Attr.ReplyMessage, value: Buffer.from('hello') },
  ];
  const subValue = (attribute: { value: Buffer }): Buffer => parseVendorSpecific(attribute.value)!.attributes[0]!.value;

  it('moves the keys to the other secret and authenticator, with different salts, and keeps the rest', () => {
    const moved = reencryptMppeKeys(attributes, from, to)!;
    expect(moved).toHaveLength(4);
    expect(decryptMppeKey(subValue(moved[0]!), to.secret, to.requestAuthenticator)).toEqual(key);
    expect(decryptMppeKey(subValue(moved[1]!), to.secret, to.requestAuthenticator)).toEqual(key);
    expect(subValue(moved[0]!).subarray(0, 2).equals(subValue(moved[1]!).subarray(0, 2))).toBe(false);
    expect(moved.slice(2)).toEqual(attributes.slice(2));
  });

  it('leaves the keys out without a destination, and fails when they do not decrypt', () => {
    expect(reencryptMppeKeys(attributes, from, undefined)!.map((attribute) => attribute.type)).toEqual([Attr.VendorSpecific, Attr.ReplyMessage]);
    const garbled = [vendorAttribute(Vendor.Microsoft, MicrosoftAttr.MSMPPESendKey, Buffer.alloc(5, 0x80))];
    expect(reencryptMppeKeys(garbled, from, to)).toBeUndefined();
  });
});
