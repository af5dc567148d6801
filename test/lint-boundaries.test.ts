// The Nx module boundaries are enforced by ESLint: a lib importing a service is an error,
// a lib importing a lib is fine. Each case writes a probe file, lints it, and removes it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslintBin = join(root, 'node_modules/eslint/bin/eslint.js');

interface LintMessage {
  ruleId: string | null;
  severity: number;
  message: string;
}

/**
 * Lints `source` as a file of the project in `projectDir`. The probe goes in the project's test/
 * folder (part of the Nx project, outside `tsc -b` and vitest's *.test.ts), never in src/.
 */
async function lintProbe(projectDir: string, source: string): Promise<LintMessage[]> {
  const file = join(root, projectDir, 'test', `lint-probe-${randomBytes(4).toString('hex')}.ts`);
  writeFileSync(file, source);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [eslintBin, '--format', 'json', '--no-warn-ignored', file], { cwd: root, maxBuffer: 16 << 20 }).catch(
      // ESLint exits 1 when it finds errors; the JSON report is still on stdout.
      (error: { stdout?: string; code?: number }) => {
        if (error.code === 1 && error.stdout) return { stdout: error.stdout };
        throw error;
      },
    );
    const [report] = JSON.parse(stdout) as { messages: LintMessage[] }[];
    return report!.messages;
  } finally {
    rmSync(file, { force: true });
  }
}

describe('lint: Nx module boundaries', () => {
  // libs/testing is a lib that no service depends on, so the import below breaks the tag rule and
  // nothing else: from a lib that a service uses (libs/config), the rule would report the circular
  // dependency first and never reach the tags.
  it('a lib importing a service is an error of the tag rule (type:lib depends only on type:lib)', async () => {
    const messages = await lintProbe('libs/testing', "import * as ingress from '@radius-mfa/radius-ingress';\nexport const probe = ingress;\n");
    const boundary = messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
    expect(boundary, JSON.stringify(messages)).toHaveLength(1);
    expect(boundary[0]!.severity).toBe(2);
    expect(boundary[0]!.message).toMatch(/tagged with "type:lib" can only depend on libs tagged with "type:lib"/);
    expect(boundary[0]!.message).not.toMatch(/circular/i);
  }, 120_000);

  it('a lib importing a lib passes', async () => {
    const messages = await lintProbe('libs/runtime', "import { parseConfig } from '@radius-mfa/config';\nexport const probe = parseConfig;\n");
    expect(messages.filter((m) => m.severity === 2), JSON.stringify(messages)).toEqual([]);
  }, 120_000);
});
