import type { AttributeDefinition } from './dictionary-types.js';
import { attributeDefinitions } from './generated/dictionary.js';

// One lookup table keyed by vendor and code, built once from the generated definitions.
const byKey = new Map<number, AttributeDefinition>();
for (const definition of attributeDefinitions) byKey.set(definition.vendorId * 256 + definition.code, definition);

/** The dictionary definition of a standard attribute (vendorId 0) or a vendor sub-attribute. */
export function attributeDefinition(type: number, vendorId = 0): AttributeDefinition | undefined {
  return byKey.get(vendorId * 256 + type);
}

/** "User-Name" for 1; undefined for a type no dictionary names. */
export function attributeName(type: number, vendorId = 0): string | undefined {
  return byKey.get(vendorId * 256 + type)?.name;
}

/** The enum name of an integer value ("Login-User" for Service-Type 1), if the dictionary has one. */
export function valueName(type: number, value: number, vendorId = 0): string | undefined {
  const values = byKey.get(vendorId * 256 + type)?.values;
  if (values === undefined) return undefined;
  for (const name in values) {
    if (values[name] === value) return name;
  }
  return undefined;
}
