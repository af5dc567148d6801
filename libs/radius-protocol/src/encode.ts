import { RadiusProtocolError } from './errors.js';
import { HEADER_LENGTH, MAX_ATTRIBUTE_VALUE_LENGTH, MAX_PACKET_LENGTH, MESSAGE_AUTHENTICATOR_LENGTH } from './limits.js';
import { MESSAGE_AUTHENTICATOR_TYPE } from './message-authenticator.js';
import type { RadiusAttribute } from './packet.js';

export interface PacketLayout {
  readonly code: number;
  readonly identifier: number;
  readonly authenticator: Buffer;
  /** reserve an 18-byte zeroed Message-Authenticator as the first attribute */
  readonly messageAuthenticator: boolean;
  readonly attributes: readonly RadiusAttribute[];
  /** appended after `attributes` (Proxy-State echo, RFC 2865 §5.33) */
  readonly trailing?: readonly RadiusAttribute[];
}

function attributesLength(attributes: readonly RadiusAttribute[]): number {
  let total = 0;
  for (const attribute of attributes) {
    if (attribute.value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
      throw new RadiusProtocolError('malformed_attribute', `attribute ${attribute.type} value of ${attribute.value.length} bytes exceeds 253`);
    }
    if (attribute.type < 1 || attribute.type > 255 || !Number.isInteger(attribute.type)) {
      throw new RadiusProtocolError('malformed_attribute', `attribute type ${attribute.type}`);
    }
    total += 2 + attribute.value.length;
  }
  return total;
}

function writeAttributes(packet: Buffer, offset: number, attributes: readonly RadiusAttribute[]): number {
  for (const attribute of attributes) {
    packet[offset] = attribute.type;
    packet[offset + 1] = attribute.value.length + 2;
    attribute.value.copy(packet, offset + 2);
    offset += 2 + attribute.value.length;
  }
  return offset;
}

/** A caller-supplied Message-Authenticator would be a second one; the reserved one is the only one (PROTOCOL-CASES 13). */
function withoutMessageAuthenticator(attributes: readonly RadiusAttribute[]): readonly RadiusAttribute[] {
  for (const attribute of attributes) {
    if (attribute.type === MESSAGE_AUTHENTICATOR_TYPE) return attributes.filter((a) => a.type !== MESSAGE_AUTHENTICATOR_TYPE);
  }
  return attributes;
}

/**
 * Lays out header and attributes into one exactly-sized buffer, unsigned: the Message-Authenticator
 * (if reserved) is zero and the Authenticator field holds `layout.authenticator`.
 * Throws RadiusProtocolError('response_too_large') beyond 4096 bytes (PROTOCOL-CASES 27).
 */
export function encodeUnsigned(layout: PacketLayout): Buffer {
  const attributes = withoutMessageAuthenticator(layout.attributes);
  const trailing = layout.trailing ?? [];
  const length =
    HEADER_LENGTH +
    (layout.messageAuthenticator ? MESSAGE_AUTHENTICATOR_LENGTH : 0) +
    attributesLength(attributes) +
    attributesLength(trailing);
  if (length > MAX_PACKET_LENGTH) {
    throw new RadiusProtocolError('response_too_large', `packet of ${length} bytes exceeds ${MAX_PACKET_LENGTH}`);
  }
  const packet = Buffer.allocUnsafe(length);
  packet[0] = layout.code;
  packet[1] = layout.identifier;
  packet.writeUInt16BE(length, 2);
  layout.authenticator.copy(packet, 4, 0, 16);
  let offset = HEADER_LENGTH;
  if (layout.messageAuthenticator) {
    packet[offset] = MESSAGE_AUTHENTICATOR_TYPE;
    packet[offset + 1] = MESSAGE_AUTHENTICATOR_LENGTH;
    packet.fill(0, offset + 2, offset + MESSAGE_AUTHENTICATOR_LENGTH);
    offset += MESSAGE_AUTHENTICATOR_LENGTH;
  }
  offset = writeAttributes(packet, offset, attributes);
  writeAttributes(packet, offset, trailing);
  return packet;
}

/** Offset of the reserved Message-Authenticator value produced by encodeUnsigned. */
export const RESERVED_MESSAGE_AUTHENTICATOR_OFFSET = HEADER_LENGTH + 2;
