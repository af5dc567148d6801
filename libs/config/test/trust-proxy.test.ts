// api.trustProxy: booleans keep working, a list of proxies is checked, and exploitable settings warn.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@radius-mfa/config';
import { problemAt, problemsOf } from './problems-of.js';

const SEALING_KEY = randomBytes(32).toString('base64');

function yaml(api: string): string {
  return `redis: { url: "redis://127.0.0.1:6379" }\nsecurity: { sealingKeys: [{ id: k1, key: "${SEALING_KEY}" }] }\nclients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "a-long-random-shared-secret" }\napi: ${api}\n`;
}

const apiWarnings = (api: string) => parseConfig(yaml(api), { env: {} }).warnings.filter((w) => w.path.startsWith('api.'));

describe('api.trustProxy', () => {
  it('is false by default, and quiet without a proxy in front', () => {
    const { config, warnings } = parseConfig(yaml('{ listen: "http://0.0.0.0:8080" }'), { env: {} });
    expect(config.api.trustProxy).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('takes a list of proxy addresses, CIDR blocks (v4, v6) and the named ranges', () => {
    const list = ['10.244.0.0/16', '192.0.2.10', 'fd00::/8', 'loopback', 'uniquelocal'];
    const { config } = parseConfig(yaml(`{ publicUrl: "https://mfa.example.com", trustProxy: ${JSON.stringify(list)} }`), { env: {} });
    expect(config.api.trustProxy).toEqual(list);
    expect(apiWarnings(`{ publicUrl: "https://mfa.example.com", listen: "http://0.0.0.0:8080", trustProxy: ${JSON.stringify(list)} }`)).toEqual([]);
  });

  it('refuses an entry that is not an address, a block or a named range, naming the entry and the fix', () => {
    const problems = problemsOf(yaml('{ trustProxy: ["10.244.0.0/16", "ingress-nginx", "10.0.0.0/40"] }'));
    expect(problemAt(problems, 'api.trustProxy[1]').message).toContain('"ingress-nginx"');
    expect(problemAt(problems, 'api.trustProxy[2]').fix).toMatch(/10\.244\.0\.0\/16/);
    expect(problems.find((p) => p.path === 'api.trustProxy[0]')).toBeUndefined();
  });

  it('refuses a hop count: it cannot tell a proxy from a client that connects directly', () => {
    expect(problemAt(problemsOf(yaml('{ trustProxy: 2 }')), 'api.trustProxy[0]').message).toMatch(/hop count \(2\): not supported/);
    // YAML's 1 is read as true, as for every boolean key: it is then warned about as "any hop".
    expect(apiWarnings('{ trustProxy: 1 }')[0]?.message).toMatch(/any hop/);
  });

  it('keeps true working, with a warning that any client then chooses its own address', () => {
    const { config } = parseConfig(yaml('{ trustProxy: true }'), { env: {} });
    expect(config.api.trustProxy).toBe(true);
    const [warning] = apiWarnings('{ trustProxy: true }');
    expect(warning?.path).toBe('api.trustProxy');
    expect(warning?.message).toMatch(/any hop/);
    expect(warning?.fix).toMatch(/CIDR/);
  });

  it('warns when an https publicUrl (a TLS proxy in front) meets trustProxy false: every phone would share the proxy\'s address', () => {
    const [warning] = apiWarnings('{ listen: "http://0.0.0.0:8080", publicUrl: "https://mfa.example.com" }');
    expect(warning?.path).toBe('api.trustProxy');
    expect(warning?.message).toMatch(/shares the proxy's address/);
    // A loopback listener is reached only through a proxy on the same host: nothing is shared with strangers.
    expect(apiWarnings('{ listen: "http://127.0.0.1:8080", publicUrl: "https://mfa.example.com" }')).toEqual([]);
  });
});
