// .ci/install-helm.sh and .ci/install-promtool.sh: idempotent, and what they installed is
// what they pin (CI runs them before the tests, so here they must take the fast path).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, requireTool, run } from './tools.js';

describe('tool install scripts', () => {
  it('install-helm.sh leaves the pinned Helm 3 in place', async () => {
    const helm = requireTool('helm');
    const pinned = /^HELM_SHA256='([0-9a-f]{64})'/m.exec(readFileSync(join(repoRoot, '.ci/install-helm.sh'), 'utf8'))?.[1];
    expect(createHash('sha256').update(readFileSync(helm)).digest('hex')).toBe(pinned);
    const result = await run('bash', ['.ci/install-helm.sh']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/already installed: v3\.17\.2/);
  });

  it('install-promtool.sh leaves promtool in place', async () => {
    requireTool('promtool');
    const result = await run('bash', ['.ci/install-promtool.sh']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/already installed: promtool, version 2\.42\./);
  });
});
