import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@radius-mfa/config';

// The README's configuration example is what operators copy first: it must stay valid.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('README', () => {
  it('has a configuration example that passes validation', () => {
    expect(yamlBlocks.length).toBeGreaterThan(0);
    const env = {
      RADIUS_MFA_SEALING_KEY: randomBytes(32).toString('base64'),
      RADIUS_MFA_ADMIN_TOKEN: randomBytes(24).toString('hex'),
      VPN_SECRET: randomBytes(18).toString('base64url'),
      RDG_SECRET: randomBytes(18).toString('base64url'),
      LDAP_BIND_PASSWORD: 'bind-password',
      PUSH_SIGNING_SECRET: randomBytes(24).toString('hex'),
    };
    for (const block of yamlBlocks) {
      const { config, warnings } = parseConfig(block, { env, source: 'README.md' });
      expect(warnings).toEqual([]);
      expect(config.clients.map((c) => c.name)).toEqual(['vpn', 'rdgateway']);
    }
  });

  it('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)#\s]+)/g)].map((m) => m[1]!);
    const images = [...readme.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    for (const path of [...links, ...images]) {
      expect(() => readFileSync(new URL(`../${path}`, import.meta.url)), path).not.toThrow();
    }
  });
});
