import { describe, expect, it } from 'vitest';
import {
  Attr,
  Vendor,
  MicrosoftAttr,
  chapPasswordValue,
  hidePassword,
  integerAttribute,
  parseVendorSpecific,
  replyMessageAttributes,
  textAttribute,
  unhidePassword,
  vendorAttribute,
  verifyChap,
} from '@radius-mfa/radius-protocol';

describe('replyMessageAttributes', () => {
  it('splits at 253 bytes without cutting a UTF-8 character', () => {
    const text = 'a'.repeat(252) + 'é' + 'b'.repeat(300) + '€';
    const parts = replyMessageAttributes(text);
    expect(parts.every((p) => p.type === Attr.ReplyMessage && p.value.length <= 253)).toBe(true);
    expect(parts[0]!.value.length).toBe(252);
    expect(Buffer.concat(parts.map((p) => p.value)).toString('utf8')).toBe(text);
    for (const part of parts) expect(part.value.toString('utf8')).not.toContain('\uFFFD');
  });

  it('gives no attribute for empty text and one for 253 bytes', () => {
    expect(replyMessageAttributes('')).toEqual([]);
    expect(replyMessageAttributes('z'.repeat(253))).toHaveLength(1);
    expect(replyMessageAttributes('z'.repeat(254))).toHaveLength(2);
  });
});

describe('attribute builders', () => {
  it('encodes text and integers and refuses what does not fit', () => {
    expect(textAttribute(Attr.FilterId, 'grp').value).toEqual(Buffer.from('grp'));
    expect(integerAttribute(Attr.SessionTimeout, 0xfffffffe).value).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    expect(() => textAttribute(Attr.FilterId, 'x'.repeat(254))).toThrow(expect.objectContaining({ reason: 'malformed_attribute' }));
    expect(() => integerAttribute(Attr.SessionTimeout, -1)).toThrow(expect.objectContaining({ reason: 'malformed_attribute' }));
    expect(() => integerAttribute(Attr.SessionTimeout, 2 ** 32)).toThrow(expect.objectContaining({ reason: 'malformed_attribute' }));
  });
});

describe('Vendor-Specific (PROTOCOL-CASES 10)', () => {
  it('round-trips a Microsoft sub-attribute', () => {
    const attribute = vendorAttribute(Vendor.Microsoft, MicrosoftAttr.MSCHAP2Success, Buffer.from('S=ABC'));
    expect(attribute.type).toBe(Attr.VendorSpecific);
    expect(parseVendorSpecific(attribute.value)).toEqual({ vendorId: 311, attributes: [{ type: 26, value: Buffer.from('S=ABC') }] });
  });

  it('returns undefined for short or malformed values instead of throwing', () => {
    expect(parseVendorSpecific(Buffer.from([0, 0, 1, 55, 1]))).toBeUndefined();
    expect(parseVendorSpecific(Buffer.from([1, 0, 1, 55, 1, 2]))).toBeUndefined();
    expect(parseVendorSpecific(Buffer.from([0, 0, 1, 55, 1, 1]))).toBeUndefined();
    expect(parseVendorSpecific(Buffer.from([0, 0, 1, 55, 1, 9, 0]))).toBeUndefined();
    expect(parseVendorSpecific(Buffer.from([0, 0, 1, 55, 1, 3, 7, 4]))).toBeUndefined();
  });
});

describe('User-Password (RFC 2865 §5.2)', () => {
  const secret = Buffer.from('pw-secret');
  const authenticator = Buffer.alloc(16, 0x33);

  it('pads to 16-byte blocks and keeps NULs and invalid UTF-8 inside the password as bytes', () => {
    const password = Buffer.from([0xff, 0x00, 0x41, 0xc3]);
    const hidden = hidePassword(password, secret, authenticator);
    expect(hidden.length).toBe(16);
    expect(unhidePassword(hidden, secret, authenticator)).toEqual(password);
    expect(hidePassword(Buffer.alloc(17, 1), secret, authenticator).length).toBe(32);
  });

  it('refuses hidden values that are not 16..128 bytes in blocks of 16', () => {
    for (const length of [0, 15, 17, 144]) {
      expect(() => unhidePassword(Buffer.alloc(length), secret, authenticator)).toThrow(expect.objectContaining({ reason: 'malformed_attribute' }));
    }
    expect(() => hidePassword(Buffer.alloc(129), secret, authenticator)).toThrow(expect.objectContaining({ reason: 'malformed_attribute' }));
  });
});

describe('CHAP (RFC 2865 §5.3)', () => {
  it('verifies a CHAP response and refuses a wrong password or a wrong length', () => {
    const challenge = Buffer.alloc(16, 0x42);
    const value = chapPasswordValue(7, Buffer.from('secret-pw'), challenge);
    expect(verifyChap(Buffer.from('secret-pw'), value, challenge)).toBe(true);
    expect(verifyChap(Buffer.from('other'), value, challenge)).toBe(false);
    expect(verifyChap(Buffer.from('secret-pw'), value.subarray(0, 16), challenge)).toBe(false);
  });
});
