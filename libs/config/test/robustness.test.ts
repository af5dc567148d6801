// Whatever the file holds, parseConfig answers with a config or a ConfigError, never a crash.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@radius-mfa/config';

const key = randomBytes(32).toString('base64');
const base = {
  redis: { url: 'redis://127.0.0.1:6379' },
  security: { sealingKeys: [{ id: 'k1', key }] },
  clients: [{ name: 'vpn', address: '10.0.0.0/8', secret: 'a-long-shared-secret', methods: ['totp'] }],
};

/** Replaces the value at one path of the base config with anything. */
const paths = [
  ['redis'],
  ['redis', 'url'],
  ['security'],
  ['security', 'sealingKeys'],
  ['clients'],
  ['clients', 0],
  ['clients', 0, 'address'],
  ['clients', 0, 'methods'],
  ['clients', 0, 'attributes'],
  ['clients', 0, 'groupAttributes'],
  ['radius'],
  ['radius', 'listen'],
  ['mfa'],
  ['mfa', 'push'],
  ['directories'],
  ['directories', 'entra'],
] as const;

function withValue(path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node = copy;
  for (const step of path.slice(0, -1)) {
    node[step] ??= {};
    node = node[step] as Record<string | number, unknown>;
  }
  node[path[path.length - 1]!] = value;
  return copy;
}

describe('parseConfig robustness', () => {
  it('never throws anything but ConfigError, whatever a key holds', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 }), (path, value) => {
        const text = stringify(withValue(path, value));
        try {
          parseConfig(text, { env: {} });
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          for (const problem of (error as ConfigError).problems) {
            expect(problem.path.length).toBeGreaterThan(0);
            expect(problem.fix.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
