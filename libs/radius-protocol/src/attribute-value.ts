import type { DataType } from './dictionary-types.js';
import { attributeDefinition, valueName } from './dictionary.js';
import { parseVendorSpecific } from './vendor-specific.js';

/** A typed view of one attribute value (RFC 8044 data types); raw bytes stay in the packet. */
export type AttributeValue =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'octets'; readonly value: Buffer }
  | { readonly kind: 'integer'; readonly value: number; readonly name?: string }
  | { readonly kind: 'integer64'; readonly value: bigint }
  | { readonly kind: 'date'; readonly value: Date }
  | { readonly kind: 'ipv4addr'; readonly value: string }
  | { readonly kind: 'ipv6addr'; readonly value: string }
  | { readonly kind: 'ipv6prefix'; readonly prefixLength: number; readonly prefix: string }
  | { readonly kind: 'ifid'; readonly value: Buffer }
  | { readonly kind: 'tagged'; readonly tag: number; readonly value: AttributeValue }
  | { readonly kind: 'vsa'; readonly vendorId: number; readonly attributes: readonly VendorValue[] }
  /** RFC 6929 extended types 241-246: kept raw, with the Extended-Type octet split off */
  | { readonly kind: 'extended'; readonly extendedType: number; readonly value: Buffer }
  /** wrong length or form for its type (PROTOCOL-CASES 9, 10): ignore the attribute, not the packet */
  | { readonly kind: 'invalid'; readonly invalid: true; readonly raw: Buffer };

export interface VendorValue {
  readonly type: number;
  readonly name: string | undefined;
  readonly value: AttributeValue;
}

const VENDOR_SPECIFIC = 26;
const FIRST_EXTENDED = 241;
const LAST_EXTENDED = 246;
/** RFC 6929 §2.2: 245 and 246 are Long Extended Types with a flags octet. */
const FIRST_LONG_EXTENDED = 245;
/** RFC 2868 §3.1: a tag is 0x01..0x1F; other first octets are data. */
const MAX_TAG = 0x1f;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function invalid(raw: Buffer): AttributeValue {
  return { kind: 'invalid', invalid: true, raw };
}

function ipv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // Canonical text form (RFC 5952 §4): compress the longest run of zero groups.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

/** Decodes `value` as `dataType`, checking lengths (RFC 8044 §3); never throws. */
export function decodeTypedValue(dataType: DataType, value: Buffer, enumName?: (n: number) => string | undefined): AttributeValue {
  switch (dataType) {
    case 'string':
      try {
        return { kind: 'text', value: utf8.decode(value) };
      } catch {
        return { kind: 'octets', value };
      }
    case 'octets':
      return { kind: 'octets', value };
    case 'integer': {
      if (value.length !== 4) return invalid(value);
      const number = value.readUInt32BE(0);
      const name = enumName?.(number);
      return name === undefined ? { kind: 'integer', value: number } : { kind: 'integer', value: number, name };
    }
    case 'short':
      return value.length === 2 ? { kind: 'integer', value: value.readUInt16BE(0) } : invalid(value);
    case 'byte':
      return value.length === 1 ? { kind: 'integer', value: value[0]! } : invalid(value);
    case 'integer64':
      return value.length === 8 ? { kind: 'integer64', value: value.readBigUInt64BE(0) } : invalid(value);
    case 'date':
      return value.length === 4 ? { kind: 'date', value: new Date(value.readUInt32BE(0) * 1000) } : invalid(value);
    case 'ipaddr':
      return value.length === 4 ? { kind: 'ipv4addr', value: `${value[0]}.${value[1]}.${value[2]}.${value[3]}` } : invalid(value);
    case 'ipv6addr':
      return value.length === 16 ? { kind: 'ipv6addr', value: ipv6(value) } : invalid(value);
    case 'ipv6prefix': {
      // RFC 3162 §2.3: reserved octet, prefix length 0..128, then only as many prefix octets as needed (up to 16).
      if (value.length < 2 || value.length > 18) return invalid(value);
      const prefixLength = value[1]!;
      if (prefixLength > 128 || (value.length - 2) * 8 < prefixLength) return invalid(value);
      const full = Buffer.alloc(16);
      value.copy(full, 0, 2);
      return { kind: 'ipv6prefix', prefixLength, prefix: ipv6(full) };
    }
    case 'ifid':
      return value.length === 8 ? { kind: 'ifid', value } : invalid(value);
    case 'extended':
      return value.length >= 1 ? { kind: 'extended', extendedType: value[0]!, value: value.subarray(1) } : invalid(value);
    case 'long-extended':
      return value.length >= 2 ? { kind: 'extended', extendedType: value[0]!, value: value.subarray(1) } : invalid(value);
  }
}

function decodeWithDictionary(type: number, value: Buffer, vendorId: number): AttributeValue {
  const definition = attributeDefinition(type, vendorId);
  if (definition === undefined) return { kind: 'octets', value };
  const enumName = definition.values === undefined ? undefined : (n: number): string | undefined => valueName(type, n, vendorId);
  // Encrypted values need the secret and authenticator: they stay octets here (RFC 2865 §5.2, RFC 2868 §3.5).
  if (definition.hasTag) {
    if (definition.type === 'integer') {
      // RFC 2868 §3.1: a tagged integer is a tag octet and a 3-octet value.
      if (value.length !== 4 || value[0]! > MAX_TAG) return invalid(value);
      const number = value.readUIntBE(1, 3);
      const name = enumName?.(number);
      return { kind: 'tagged', tag: value[0]!, value: name === undefined ? { kind: 'integer', value: number } : { kind: 'integer', value: number, name } };
    }
    if (definition.encrypt !== 0) {
      return value.length >= 1 ? { kind: 'tagged', tag: value[0]!, value: { kind: 'octets', value: value.subarray(1) } } : invalid(value);
    }
    const tagged = value.length >= 1 && value[0]! >= 1 && value[0]! <= MAX_TAG;
    return { kind: 'tagged', tag: tagged ? value[0]! : 0, value: decodeTypedValue(definition.type, tagged ? value.subarray(1) : value) };
  }
  if (definition.encrypt !== 0) return { kind: 'octets', value };
  return decodeTypedValue(definition.type, value, enumName);
}

/**
 * The dictionary-typed view of an attribute value: `{ kind: 'invalid', invalid: true }` for a wrong length,
 * a malformed Vendor-Specific or a truncated extended type (PROTOCOL-CASES 9, 10). Never throws.
 */
export function decodeValue(type: number, value: Buffer): AttributeValue {
  if (type >= FIRST_EXTENDED && type <= LAST_EXTENDED) {
    return decodeTypedValue(type >= FIRST_LONG_EXTENDED ? 'long-extended' : 'extended', value);
  }
  if (type === VENDOR_SPECIFIC) {
    const parsed = parseVendorSpecific(value);
    if (parsed === undefined) return invalid(value);
    return {
      kind: 'vsa',
      vendorId: parsed.vendorId,
      attributes: parsed.attributes.map((sub) => ({
        type: sub.type,
        name: attributeDefinition(sub.type, parsed.vendorId)?.name,
        value: decodeWithDictionary(sub.type, sub.value, parsed.vendorId),
      })),
    };
  }
  return decodeWithDictionary(type, value, 0);
}
