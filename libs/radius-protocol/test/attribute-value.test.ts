import { describe, expect, it } from 'vitest';
import {
  Attr,
  MicrosoftAttr,
  Vendor,
  attributeDefinition,
  attributeName,
  decodeTypedValue,
  decodeValue,
  integerAttribute,
  valueName,
  vendorAttribute,
} from '@radius-mfa/radius-protocol';

const bytes = (...values: number[]): Buffer => Buffer.from(values);

describe('dictionary lookups', () => {
  it('names standard and Microsoft attributes and enum values', () => {
    expect(attributeName(Attr.UserName)).toBe('User-Name');
    expect(attributeName(Attr.FramedIPv6Address)).toBe('Framed-IPv6-Address');
    expect(attributeName(MicrosoftAttr.MSMPPESendKey, Vendor.Microsoft)).toBe('MS-MPPE-Send-Key');
    expect(attributeDefinition(MicrosoftAttr.MSMPPERecvKey, Vendor.Microsoft)?.encrypt).toBe(2);
    expect(valueName(Attr.ServiceType, 1)).toBe('Login-User');
    expect(valueName(Attr.ServiceType, 9999)).toBeUndefined();
    expect(attributeName(17)).toBeUndefined();
  });
});

describe('decodeValue (PROTOCOL-CASES 9, 10)', () => {
  it('decodes each RFC 8044 type with its length checked', () => {
    expect(decodeValue(Attr.UserName, Buffer.from('zoë'))).toEqual({ kind: 'text', value: 'zoë' });
    expect(decodeValue(Attr.State, bytes(1, 2))).toEqual({ kind: 'octets', value: bytes(1, 2) });
    expect(decodeValue(Attr.ServiceType, integerAttribute(Attr.ServiceType, 8).value)).toEqual({ kind: 'integer', value: 8, name: 'Authenticate-Only' });
    expect(decodeValue(Attr.NASPort, bytes(0, 0, 1, 0))).toEqual({ kind: 'integer', value: 256 });
    expect(decodeValue(Attr.NASIPAddress, bytes(10, 0, 0, 1))).toEqual({ kind: 'ipv4addr', value: '10.0.0.1' });
    expect(decodeValue(Attr.EventTimestamp, bytes(0, 0, 0, 60))).toEqual({ kind: 'date', value: new Date(60_000) });
    expect(decodeValue(Attr.NASIPv6Address, Buffer.from('20010db8000000000000000000000001', 'hex'))).toEqual({ kind: 'ipv6addr', value: '2001:db8::1' });
    expect(decodeValue(Attr.FramedIPv6Prefix, Buffer.from('004020010db800010002', 'hex'))).toEqual({ kind: 'ipv6prefix', prefixLength: 64, prefix: '2001:db8:1:2::' });
    expect(decodeValue(Attr.FramedInterfaceId, bytes(1, 2, 3, 4, 5, 6, 7, 8))).toEqual({ kind: 'ifid', value: bytes(1, 2, 3, 4, 5, 6, 7, 8) });
    expect(decodeTypedValue('integer64', bytes(0, 0, 0, 1, 0, 0, 0, 0))).toEqual({ kind: 'integer64', value: 2n ** 32n });
  });

  it('marks wrong fixed sizes invalid instead of throwing', () => {
    expect(decodeValue(Attr.NASPort, bytes(0, 0, 0, 0, 1))).toMatchObject({ invalid: true });
    expect(decodeValue(Attr.NASIPAddress, bytes(10, 0, 0))).toMatchObject({ invalid: true });
    expect(decodeValue(Attr.NASIPv6Address, bytes(1))).toMatchObject({ invalid: true });
    expect(decodeValue(Attr.FramedIPv6Prefix, bytes(0, 129, 0))).toMatchObject({ invalid: true });
    expect(decodeValue(Attr.FramedIPv6Prefix, bytes(0, 64, 0x20, 1))).toMatchObject({ invalid: true });
    expect(decodeTypedValue('integer64', bytes(1, 2, 3))).toMatchObject({ invalid: true });
  });

  it('reads RFC 2868 tags', () => {
    expect(decodeValue(Attr.TunnelType, bytes(1, 0, 0, 13))).toEqual({ kind: 'tagged', tag: 1, value: { kind: 'integer', value: 13, name: 'VLAN' } });
    expect(decodeValue(Attr.TunnelPrivateGroupId, Buffer.from('\x02100'))).toEqual({ kind: 'tagged', tag: 2, value: { kind: 'text', value: '100' } });
    expect(decodeValue(Attr.TunnelPrivateGroupId, Buffer.from('100'))).toEqual({ kind: 'tagged', tag: 0, value: { kind: 'text', value: '100' } });
    expect(decodeValue(Attr.TunnelType, bytes(0x20, 0, 0, 13))).toMatchObject({ invalid: true });
  });

  it('decodes Vendor-Specific sub-attributes with the vendor dictionary, and marks bad ones invalid', () => {
    const vsa = vendorAttribute(Vendor.Microsoft, MicrosoftAttr.MSMPPEEncryptionPolicy, bytes(0, 0, 0, 2));
    expect(decodeValue(Attr.VendorSpecific, vsa.value)).toEqual({
      kind: 'vsa',
      vendorId: 311,
      attributes: [{ type: 7, name: 'MS-MPPE-Encryption-Policy', value: { kind: 'integer', value: 2, name: 'Encryption-Required' } }],
    });
    expect(decodeValue(Attr.VendorSpecific, bytes(0, 0, 1, 55, 1))).toMatchObject({ invalid: true });
  });

  it('keeps extended types 241-246 raw and marks truncated ones invalid', () => {
    expect(decodeValue(241, bytes(1, 9, 9))).toEqual({ kind: 'extended', extendedType: 1, value: bytes(9, 9) });
    expect(decodeValue(241, bytes())).toMatchObject({ invalid: true });
    expect(decodeValue(245, bytes(1))).toMatchObject({ invalid: true });
  });
});
