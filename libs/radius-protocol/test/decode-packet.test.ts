import { describe, expect, it } from 'vitest';
import { Attr, Code, RadiusProtocolError, decodePacket, findAttribute, findAttributes, type DropReason } from '@radius-mfa/radius-protocol';

/** A header with Length = 20 + attribute bytes, followed by the attribute bytes. */
function packet(code: number, attributeBytes: number[], lengthOverride?: number): Buffer {
  const length = lengthOverride ?? 20 + attributeBytes.length;
  const header = Buffer.alloc(20, 0xab);
  header[0] = code;
  header[1] = 7;
  header.writeUInt16BE(length, 2);
  return Buffer.concat([header, Buffer.from(attributeBytes)]);
}

function reasonOf(datagram: Buffer): DropReason | undefined {
  try {
    decodePacket(datagram);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(RadiusProtocolError);
    return (error as RadiusProtocolError).reason;
  }
}

describe('decodePacket framing (PROTOCOL-CASES 1-4)', () => {
  it('drops empty, 1-byte and 19-byte datagrams', () => {
    expect(reasonOf(Buffer.alloc(0))).toBe('malformed_packet');
    expect(reasonOf(Buffer.alloc(1))).toBe('malformed_packet');
    expect(reasonOf(packet(1, []).subarray(0, 19))).toBe('malformed_packet');
  });

  it('drops Length below 20, above 4096 or beyond the datagram', () => {
    for (const length of [0, 3, 10, 19]) expect(reasonOf(packet(1, [], length))).toBe('bad_length');
    expect(reasonOf(Buffer.concat([packet(1, [], 4097), Buffer.alloc(4077)]))).toBe('bad_length');
    expect(reasonOf(Buffer.concat([packet(1, [], 5125), Buffer.alloc(5105)]))).toBe('bad_length');
    expect(reasonOf(packet(1, [1, 3, 0x61], 24))).toBe('bad_length');
  });

  it('accepts a 4096-byte packet and ignores octets past Length', () => {
    const attributes: number[] = [];
    // Class attributes of 255 bytes, then one filling the packet to exactly 4096 bytes.
    while (attributes.length + 255 <= 4076) attributes.push(Attr.Class, 255, ...new Array<number>(253).fill(1));
    const rest = 4076 - attributes.length;
    attributes.push(Attr.Class, rest, ...new Array<number>(rest - 2).fill(2));
    const full = packet(Code.AccessAccept, attributes);
    expect(full.length).toBe(4096);
    expect(decodePacket(full).raw.length).toBe(4096);

    const padded = Buffer.concat([packet(1, [1, 6, 0x6e, 0x65, 0x6d, 0x6f]), Buffer.from([9, 9, 9])]);
    const decoded = decodePacket(padded);
    expect(decoded.raw.length).toBe(26);
    expect(decoded.attributes).toHaveLength(1);
  });

  it('drops unknown codes but decodes every known one, responses included (direction is the caller\'s call)', () => {
    expect(reasonOf(packet(0, []))).toBe('unknown_code');
    expect(reasonOf(packet(99, []))).toBe('unknown_code');
    for (const code of Object.values(Code)) expect(decodePacket(packet(code, [])).code).toBe(code);
  });
});

describe('decodePacket attributes (PROTOCOL-CASES 7, 8)', () => {
  it('drops length 0 or 1, type 0, an attribute past the end and one trailing byte', () => {
    expect(reasonOf(packet(1, [1, 0]))).toBe('malformed_attribute');
    expect(reasonOf(packet(1, [1, 1]))).toBe('malformed_attribute');
    expect(reasonOf(packet(1, [0, 3, 0x61]))).toBe('malformed_attribute');
    expect(reasonOf(packet(1, [1, 9, 0x61, 0x62]))).toBe('malformed_attribute');
    expect(reasonOf(packet(1, [1, 3, 0x61, 5]))).toBe('malformed_attribute');
  });

  it('allows 200 attributes and drops 201', () => {
    const attributes = (n: number): number[] => new Array<number>(n).fill(0).flatMap(() => [Attr.ProxyState, 2]);
    expect(decodePacket(packet(1, attributes(200))).attributes).toHaveLength(200);
    expect(reasonOf(packet(1, attributes(201)))).toBe('too_many_attributes');
  });

  it('keeps attributes in order with repeats, values as raw bytes', () => {
    const decoded = decodePacket(packet(1, [33, 3, 1, 1, 4, 0x75, 0x31, 33, 4, 2, 3, 33, 2]));
    expect(decoded.attributes.map((a) => a.type)).toEqual([33, 1, 33, 33]);
    expect(findAttributes(decoded, Attr.ProxyState)).toEqual([Buffer.from([1]), Buffer.from([2, 3]), Buffer.alloc(0)]);
    expect(findAttribute(decoded, Attr.UserName)?.toString()).toBe('u1');
    expect(findAttribute(decoded, Attr.State)).toBeUndefined();
  });

  it('decodes an attribute with the wrong size for its type as raw bytes (PROTOCOL-CASES 9)', () => {
    const decoded = decodePacket(packet(1, [Attr.NASPort, 7, 0, 0, 0, 0, 1]));
    expect(findAttribute(decoded, Attr.NASPort)).toEqual(Buffer.from([0, 0, 0, 0, 1]));
  });
});
