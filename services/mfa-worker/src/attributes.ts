// Authorization attributes from the config (per client, per group) as wire attributes, compiled
// once at start-up so a typo fails the start, not a login.
import { isIPv4 } from 'node:net';
import type { ClientConfig, ReplyAttribute } from '@radius-mfa/config';
import { attributeDefinitions, vendorAttribute, type AttributeDefinition, type RadiusAttribute } from '@radius-mfa/radius-protocol';

export class AttributeConfigError extends Error {
  readonly code = 'ATTRIBUTE_CONFIG';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'AttributeConfigError';
  }
}

const VENDOR_SPECIFIC = 26;
const MAX_VALUE = 253;
/** Attributes the server owns; an operator who adds them breaks the protocol (RFC 2865 §5.24, RFC 3579 §3.2). */
const RESERVED_TYPES = new Set([24, 33, 80, 79]);

const byName = new Map<string, AttributeDefinition>(attributeDefinitions.map((d) => [d.name.toLowerCase(), d]));
const byCode = new Map<string, AttributeDefinition>(attributeDefinitions.map((d) => [`${d.vendorId}/${d.code}`, d]));

/** `0x0a0b` is octets given in hex; anything else is its UTF-8 text. */
function bytesOf(value: string): Buffer {
  return /^0x([0-9a-fA-F]{2})+$/.test(value) ? Buffer.from(value.slice(2), 'hex') : Buffer.from(value, 'utf8');
}

function integerBytes(path: string, value: string | number, definition: AttributeDefinition | undefined): Buffer {
  const number = typeof value === 'number' ? value : (definition?.values?.[value] ?? (/^\d+$/.test(value) ? Number(value) : undefined));
  if (number === undefined || !Number.isInteger(number) || number < 0 || number > 0xffffffff) {
    throw new AttributeConfigError(path, `"${value}" is not an integer${definition?.values ? ` or one of ${Object.keys(definition.values).join(', ')}` : ''}`);
  }
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(number);
  // RFC 2868 §3.1: a tagged integer gives its first octet to the tag; tag 0 means "no tag".
  if (definition?.hasTag) buffer[0] = 0;
  return buffer;
}

function valueBytes(path: string, attribute: ReplyAttribute, definition: AttributeDefinition | undefined): Buffer {
  const { value } = attribute;
  const type = definition?.type ?? (typeof value === 'number' ? 'integer' : 'octets');
  switch (type) {
    case 'integer':
      return integerBytes(path, value, definition);
    case 'ipaddr': {
      if (typeof value !== 'string' || !isIPv4(value)) throw new AttributeConfigError(path, `"${value}" is not an IPv4 address`);
      return Buffer.from(value.split('.').map(Number));
    }
    case 'string':
    case 'octets':
      if (typeof value === 'number') return Buffer.from(String(value), 'utf8');
      return type === 'string' ? Buffer.from(value, 'utf8') : bytesOf(value);
    default:
      throw new AttributeConfigError(path, `attributes of type ${type} are not supported in replies; give type and value as 0x hex octets`);
  }
}

function findDefinition(path: string, attribute: ReplyAttribute): AttributeDefinition | undefined {
  if (attribute.name !== undefined) {
    const definition = byName.get(attribute.name.toLowerCase());
    if (!definition) throw new AttributeConfigError(path, `unknown attribute "${attribute.name}" (give type and vendor instead)`);
    return definition;
  }
  if (attribute.type === undefined) throw new AttributeConfigError(path, 'give a name, or a type (and vendor)');
  return byCode.get(`${attribute.vendor ?? 0}/${attribute.type}`);
}

/** One configured attribute on the wire; throws AttributeConfigError naming `path`. */
export function compileReplyAttribute(path: string, attribute: ReplyAttribute): RadiusAttribute {
  const definition = findDefinition(path, attribute);
  if (definition?.encrypt) throw new AttributeConfigError(path, `${definition.name} is an encrypted attribute and cannot be configured`);
  const vendor = definition ? definition.vendorId : (attribute.vendor ?? 0);
  const type = definition ? definition.code : attribute.type!;
  if (vendor === 0 && (RESERVED_TYPES.has(type) || type === VENDOR_SPECIFIC)) {
    throw new AttributeConfigError(path, `attribute ${type} is set by the server, not the config`);
  }
  const value = valueBytes(path, attribute, definition);
  if (vendor !== 0) {
    try {
      return vendorAttribute(vendor, type, value);
    } catch (error) {
      throw new AttributeConfigError(path, error instanceof Error ? error.message : String(error));
    }
  }
  if (value.length === 0 || value.length > MAX_VALUE) throw new AttributeConfigError(path, `value must be 1..${MAX_VALUE} bytes`);
  return { type, value };
}

/** A client's attributes, compiled: those of every Accept, and those per group. */
export interface ClientReplyAttributes {
  readonly always: readonly RadiusAttribute[];
  readonly byGroup: ReadonlyMap<string, readonly RadiusAttribute[]>;
}

export function compileClientAttributes(client: Pick<ClientConfig, 'name' | 'attributes' | 'groupAttributes'>, clientIndex: number): ClientReplyAttributes {
  const base = `clients[${clientIndex}]`;
  const always = client.attributes.map((a, i) => compileReplyAttribute(`${base}.attributes[${i}]`, a));
  const byGroup = new Map<string, readonly RadiusAttribute[]>();
  for (const [group, list] of Object.entries(client.groupAttributes)) {
    byGroup.set(
      group.toLowerCase(),
      list.map((a, i) => compileReplyAttribute(`${base}.groupAttributes.${group}[${i}]`, a)),
    );
  }
  return { always, byGroup };
}

/**
 * The attributes of an Access-Accept: the client's, then each of the user's groups' (in the
 * order the client lists them, so the result does not depend on the directory's order), then
 * what the first factor returned (e.g. an upstream RADIUS server's Class).
 */
export function acceptAttributes(compiled: ClientReplyAttributes, groups: readonly string[], firstFactor: readonly RadiusAttribute[] = []): RadiusAttribute[] {
  const member = new Set(groups.map((g) => g.toLowerCase()));
  const result: RadiusAttribute[] = [...compiled.always];
  for (const [group, attributes] of compiled.byGroup) if (member.has(group)) result.push(...attributes);
  result.push(...firstFactor);
  return result;
}
