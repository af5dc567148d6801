import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '@radius-mfa/config';

interface Node {
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  patternProperties?: Record<string, Node>;
}

/** Paths of properties with no description: the README's configuration reference is generated from them. */
function undocumented(node: Node, path: string): string[] {
  const missing: string[] = [];
  for (const [key, property] of Object.entries(node.properties ?? {})) {
    const at = path ? `${path}.${key}` : key;
    if (!property.description) missing.push(at);
    missing.push(...undocumented(property, at));
  }
  if (node.items) missing.push(...undocumented(node.items, `${path}[]`));
  for (const variant of node.anyOf ?? []) missing.push(...undocumented(variant, path));
  for (const value of Object.values(node.patternProperties ?? {})) missing.push(...undocumented(value, `${path}{}`));
  return missing;
}

describe('ConfigSchema', () => {
  it('describes every property', () => {
    expect(undocumented(ConfigSchema as unknown as Node, '')).toEqual([]);
  });

  it('is plain JSON Schema (serialisable for editors and docs)', () => {
    const json = JSON.parse(JSON.stringify(ConfigSchema)) as Node;
    expect(Object.keys(json.properties ?? {})).toEqual(expect.arrayContaining(['redis', 'radius', 'api', 'ops', 'clients', 'directories', 'mfa', 'security']));
  });
});
