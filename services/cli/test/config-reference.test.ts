// docs/configuration.md is generated from ConfigSchema; this fails when the committed file has drifted.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '@radius-mfa/config';

const generator = new URL('../../../scripts/gen-config-reference.mjs', import.meta.url).href;
const { renderConfigReference, REFERENCE_PATH } = (await import(generator)) as { renderConfigReference: (schema: unknown) => string; REFERENCE_PATH: string };

describe('configuration reference', () => {
  it('docs/configuration.md is what the generator makes from the schema (run `node scripts/gen-config-reference.mjs`)', () => {
    expect(readFileSync(REFERENCE_PATH, 'utf8')).toBe(renderConfigReference(ConfigSchema));
  });

  it('lists every client key with its default and description', () => {
    const text = renderConfigReference(ConfigSchema);
    for (const key of Object.keys(ConfigSchema.properties.clients.items.properties)) expect(text).toContain(`\`clients[].${key}\``);
    expect(text).toMatch(/\| `clients\[\]\.timeoutSeconds` \| integer \(5\.\.600\) \| `55` \| Answer \(Reject\) before the NAS gives up/);
    expect(text).toContain('`mfa.push.notifier (ntfy).topic`');
  });

  it('changes when the schema changes (the comparison can fail)', () => {
    const altered = structuredClone(ConfigSchema) as { properties: { ops: { properties: { listen: { description: string } } } } };
    altered.properties.ops.properties.listen.description = 'something else';
    expect(renderConfigReference(altered)).not.toBe(readFileSync(REFERENCE_PATH, 'utf8'));
  });
});
