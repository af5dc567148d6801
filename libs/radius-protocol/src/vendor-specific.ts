import { RadiusProtocolError } from './errors.js';
import { MAX_ATTRIBUTE_VALUE_LENGTH } from './limits.js';
import type { RadiusAttribute } from './packet.js';

const VENDOR_SPECIFIC = 26;
/** Vendor-Id (4) plus one sub-attribute header (2). */
const VSA_OVERHEAD = 6;

/** A Vendor-Specific attribute (RFC 2865 §5.26) holding one sub-attribute in the common type/length/value form. */
export function vendorAttribute(vendorId: number, vendorType: number, value: Buffer): RadiusAttribute {
  if (!Number.isInteger(vendorId) || vendorId < 0 || vendorId > 0xffffff) {
    throw new RadiusProtocolError('malformed_attribute', `vendor id ${vendorId} out of range`);
  }
  if (!Number.isInteger(vendorType) || vendorType < 1 || vendorType > 255) {
    throw new RadiusProtocolError('malformed_attribute', `vendor type ${vendorType} out of range`);
  }
  if (value.length > MAX_ATTRIBUTE_VALUE_LENGTH - VSA_OVERHEAD) {
    throw new RadiusProtocolError('malformed_attribute', `vendor value of ${value.length} bytes exceeds ${MAX_ATTRIBUTE_VALUE_LENGTH - VSA_OVERHEAD}`);
  }
  const buffer = Buffer.allocUnsafe(VSA_OVERHEAD + value.length);
  buffer.writeUInt32BE(vendorId, 0);
  buffer[4] = vendorType;
  buffer[5] = value.length + 2;
  value.copy(buffer, VSA_OVERHEAD);
  return { type: VENDOR_SPECIFIC, value: buffer };
}

/**
 * Splits a Vendor-Specific value into its vendor id and sub-attributes; undefined when malformed
 * (PROTOCOL-CASES 10: shorter than 6 bytes, Vendor-Id high octet set, or a sub-attribute of length < 2 or past the end).
 */
export function parseVendorSpecific(value: Buffer): { vendorId: number; attributes: RadiusAttribute[] } | undefined {
  if (value.length < VSA_OVERHEAD || value[0] !== 0) return undefined;
  const vendorId = value.readUInt32BE(0);
  const attributes: RadiusAttribute[] = [];
  let offset = 4;
  while (offset < value.length) {
    if (offset + 2 > value.length) return undefined;
    const length = value[offset + 1]!;
    if (length < 2 || offset + length > value.length) return undefined;
    attributes.push({ type: value[offset]!, value: value.subarray(offset + 2, offset + length) });
    offset += length;
  }
  return { vendorId, attributes };
}
