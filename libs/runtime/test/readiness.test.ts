// The readiness registry: check names are metric label values, so only fixed names are taken.
import { describe, expect, it } from 'vitest';
import { createReadinessRegistry } from '@radius-mfa/runtime';

describe('readiness registry', () => {
  it('takes the names the roles use', async () => {
    const readiness = createReadinessRegistry();
    for (const name of ['redis', 'worker-redis', 'ingress-sockets', 'results-http', 'roles']) readiness.add(name, () => true);
    const result = await readiness.evaluate();
    expect(result.ready).toBe(true);
    expect(Object.keys(result.checks)).toEqual(['redis', 'worker-redis', 'ingress-sockets', 'results-http', 'roles']);
  });

  it('refuses a name that is not a fixed lower-case word, naming the rule, and keeps nothing of it', async () => {
    const readiness = createReadinessRegistry();
    for (const name of ['', 'Redis', 'redis ping', 'user:alice', '1redis', 'x'.repeat(33), 'redis\n']) {
      expect(() => readiness.add(name, () => false), JSON.stringify(name)).toThrow(/must match/);
    }
    // Nothing was registered: an empty registry is ready.
    expect((await readiness.evaluate()).checks).toEqual({});
  });

  it('refuses the same name twice', () => {
    const readiness = createReadinessRegistry();
    readiness.add('redis', () => true);
    expect(() => readiness.add('redis', () => true)).toThrow(/already registered/);
  });
});
