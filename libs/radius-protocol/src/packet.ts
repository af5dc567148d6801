import { isKnownCode } from './codes.js';
import { RadiusProtocolError } from './errors.js';
import { HEADER_LENGTH, MAX_ATTRIBUTES, MAX_PACKET_LENGTH, MIN_PACKET_LENGTH } from './limits.js';

/** One attribute as it was on the wire: its value is a view into the packet, kept in order with repeats. */
export interface RadiusAttribute {
  readonly type: number;
  readonly value: Buffer;
}

export interface RadiusPacket {
  readonly code: number;
  readonly identifier: number;
  readonly authenticator: Buffer;
  readonly attributes: readonly RadiusAttribute[];
  /** exactly Length bytes */
  readonly raw: Buffer;
}

/**
 * Framing and attribute structure (PROTOCOL-CASES 1-4, 7, 8, 10); throws RadiusProtocolError only.
 * Does not judge direction: the caller decides which codes it accepts.
 * The returned buffers are views into `datagram` (no copy): do not reuse the datagram buffer.
 */
export function decodePacket(datagram: Buffer): RadiusPacket {
  if (datagram.length < MIN_PACKET_LENGTH) {
    throw new RadiusProtocolError('malformed_packet', `datagram of ${datagram.length} bytes is shorter than a RADIUS header`);
  }
  const code = datagram[0]!;
  const length = datagram.readUInt16BE(2);
  // RFC 2865 §3: Length outside 20..4096 or beyond the datagram is silently discarded; octets past Length are padding.
  if (length < MIN_PACKET_LENGTH || length > MAX_PACKET_LENGTH || length > datagram.length) {
    throw new RadiusProtocolError('bad_length', `Length field ${length} for a ${datagram.length}-byte datagram`);
  }
  if (!isKnownCode(code)) {
    throw new RadiusProtocolError('unknown_code', `unknown code ${code}`);
  }
  const raw = length === datagram.length ? datagram : datagram.subarray(0, length);
  const attributes: RadiusAttribute[] = [];
  let offset = HEADER_LENGTH;
  while (offset < length) {
    if (offset + 2 > length) {
      throw new RadiusProtocolError('malformed_attribute', `one trailing byte at offset ${offset}`);
    }
    const type = raw[offset]!;
    const attributeLength = raw[offset + 1]!;
    // RFC 2865 §5: type 0 is reserved; a length below 2 or past the end makes the packet unparseable.
    if (type === 0) throw new RadiusProtocolError('malformed_attribute', `attribute type 0 at offset ${offset}`);
    if (attributeLength < 2 || offset + attributeLength > length) {
      throw new RadiusProtocolError('malformed_attribute', `attribute ${type} of length ${attributeLength} at offset ${offset}`);
    }
    if (attributes.length === MAX_ATTRIBUTES) {
      throw new RadiusProtocolError('too_many_attributes', `more than ${MAX_ATTRIBUTES} attributes`);
    }
    attributes.push({ type, value: raw.subarray(offset + 2, offset + attributeLength) });
    offset += attributeLength;
  }
  return { code, identifier: raw[1]!, authenticator: raw.subarray(4, HEADER_LENGTH), attributes, raw };
}

/** The first attribute of `type`, or undefined. */
export function findAttribute(packet: RadiusPacket, type: number): Buffer | undefined {
  for (const attribute of packet.attributes) {
    if (attribute.type === type) return attribute.value;
  }
  return undefined;
}

/** Every attribute of `type`, in packet order. */
export function findAttributes(packet: RadiusPacket, type: number): Buffer[] {
  const values: Buffer[] = [];
  for (const attribute of packet.attributes) {
    if (attribute.type === type) values.push(attribute.value);
  }
  return values;
}

export function countAttributes(packet: RadiusPacket, type: number): number {
  let count = 0;
  for (const attribute of packet.attributes) {
    if (attribute.type === type) count++;
  }
  return count;
}
