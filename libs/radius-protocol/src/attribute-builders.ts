import { RadiusProtocolError } from './errors.js';
import { MAX_ATTRIBUTE_VALUE_LENGTH } from './limits.js';
import type { RadiusAttribute } from './packet.js';

const REPLY_MESSAGE = 18;

/** A text attribute (RFC 8044 §3.4: UTF-8, 1..253 octets). */
export function textAttribute(type: number, text: string): RadiusAttribute {
  const value = Buffer.from(text, 'utf8');
  if (value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
    throw new RadiusProtocolError('malformed_attribute', `text of ${value.length} bytes exceeds ${MAX_ATTRIBUTE_VALUE_LENGTH}`);
  }
  return { type, value };
}

/** A 32-bit unsigned integer attribute (RFC 8044 §3.1). */
export function integerAttribute(type: number, value: number): RadiusAttribute {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RadiusProtocolError('malformed_attribute', `integer ${value} out of range`);
  }
  const buffer = Buffer.allocUnsafe(4);
  buffer.writeUInt32BE(value);
  return { type, value: buffer };
}

/** An octets attribute of at most 253 bytes. */
export function octetsAttribute(type: number, value: Buffer): RadiusAttribute {
  if (value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
    throw new RadiusProtocolError('malformed_attribute', `value of ${value.length} bytes exceeds ${MAX_ATTRIBUTE_VALUE_LENGTH}`);
  }
  return { type, value };
}

/**
 * Reply-Message attributes for `text`, split at 253 bytes on UTF-8 character boundaries
 * (RFC 2865 §5.18: multiple Reply-Messages are displayed concatenated). Empty text gives none.
 */
export function replyMessageAttributes(text: string): RadiusAttribute[] {
  const bytes = Buffer.from(text, 'utf8');
  const attributes: RadiusAttribute[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + MAX_ATTRIBUTE_VALUE_LENGTH, bytes.length);
    // Back off continuation bytes (10xxxxxx) so no character is cut in two.
    while (end < bytes.length && end > start && (bytes[end]! & 0xc0) === 0x80) end--;
    attributes.push({ type: REPLY_MESSAGE, value: bytes.subarray(start, end) });
    start = end;
  }
  return attributes;
}
