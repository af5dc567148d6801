// Operators copy YAML from the docs: every ```yaml block must at least parse (a `${VAR}` unquoted
// inside a `{ }` flow map, for one, does not), and the Entra guide's example must pass validation.
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '@radius-mfa/config';

const root = new URL('../', import.meta.url);
const documents = ['README.md', 'deploy/README.md', 'deploy/helm/radius-mfa/README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const blocksOf = (path: string): string[] => [...readFileSync(new URL(path, root), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('YAML in the docs', () => {
  it.each(documents)('%s: every yaml block parses', (path) => {
    for (const block of blocksOf(path)) {
      const errors = parseAllDocuments(block).flatMap((doc) => ('errors' in doc ? doc.errors.map((e) => e.message) : []));
      expect(errors, `${path}:\n${block}`).toEqual([]);
    }
  });

  it('docs/entra.md: the Entra example is a valid configuration', () => {
    const [example] = blocksOf('docs/entra.md').filter((b) => b.startsWith('directories:\n  entra:'));
    expect(example).toBeDefined();
    const env = {
      RDG_SECRET: randomBytes(18).toString('base64url'),
      NTFY_TOKEN: `tk_${randomBytes(12).toString('hex')}`,
      RADIUS_MFA_VOICE_CALLBACK_SECRET: randomBytes(32).toString('base64'),
    };
    const base = `redis: { url: "redis://127.0.0.1:6399" }\nsecurity: { sealingKeys: [{ id: k1, key: "${randomBytes(32).toString('base64')}" }] }\napi: { publicUrl: "https://mfa.example.com" }\n`;
    const { config, warnings } = parseConfig(base + example!, { env, source: 'docs/entra.md' });
    expect(warnings).toEqual([]);
    expect(config.clients.map((c) => c.name)).toEqual(['rdg']);
  });
});
