// Packets as people (and scripts) read them: code name, Reply-Message, every attribute by dictionary name.
import { Code, attributeName, decodeValue, type AttributeValue, type RadiusAttribute, type RadiusPacket } from '@radius-mfa/radius-protocol';

const CODE_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(Code).map(([name, value]) => [value, name.replace(/([a-z])([A-Z])/g, '$1-$2')]));
/** Attributes whose value is a secret or a keyed hash: shown as a marker, never printed. */
const HIDDEN = new Set([2 /* User-Password */, 3 /* CHAP-Password */, 69 /* Tunnel-Password */, 80 /* Message-Authenticator */]);

export interface DescribedAttribute {
  readonly type: number;
  readonly name: string;
  /** The value as text: strings as they are, numbers with their dictionary name, octets in hex. */
  readonly value: string;
}

export interface DescribedPacket {
  readonly code: number;
  readonly codeName: string;
  readonly identifier: number;
  /** All Reply-Message attributes joined (RFC 2865 §5.18: shown concatenated). */
  readonly replyMessage?: string;
  readonly attributes: readonly DescribedAttribute[];
}

export function codeName(code: number): string {
  return CODE_NAMES.get(code) ?? `Code-${code}`;
}

function valueText(value: AttributeValue): string {
  switch (value.kind) {
    case 'text':
    case 'ipv4addr':
    case 'ipv6addr':
      return value.value;
    case 'integer':
      return value.name === undefined ? String(value.value) : `${value.name} (${value.value})`;
    case 'integer64':
      return value.value.toString();
    case 'date':
      return value.value.toISOString();
    case 'octets':
    case 'ifid':
      return `0x${value.value.toString('hex')}`;
    case 'ipv6prefix':
      return `${value.prefix}/${value.prefixLength}`;
    case 'tagged':
      return `tag ${value.tag}: ${valueText(value.value)}`;
    case 'vsa':
      return `vendor ${value.vendorId}: ${value.attributes.map((sub) => `${sub.name ?? `attr-${sub.type}`}=${valueText(sub.value)}`).join(', ')}`;
    case 'extended':
      return `extended ${value.extendedType}: 0x${value.value.toString('hex')}`;
    case 'invalid':
      return `invalid 0x${value.raw.toString('hex')}`;
  }
}

export function describeAttribute(attribute: RadiusAttribute): DescribedAttribute {
  const name = attributeName(attribute.type) ?? `Attr-${attribute.type}`;
  const value = HIDDEN.has(attribute.type) ? (attribute.type === 80 ? '(present)' : '(hidden)') : valueText(decodeValue(attribute.type, attribute.value));
  return { type: attribute.type, name, value };
}

export function describePacket(packet: Pick<RadiusPacket, 'code' | 'identifier' | 'attributes'>): DescribedPacket {
  const replyParts = packet.attributes.filter((a) => a.type === 18).map((a) => a.value.toString('utf8'));
  return {
    code: packet.code,
    codeName: codeName(packet.code),
    identifier: packet.identifier,
    ...(replyParts.length > 0 && { replyMessage: replyParts.join('') }),
    attributes: packet.attributes.map(describeAttribute),
  };
}
