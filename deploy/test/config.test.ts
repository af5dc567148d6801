// The radius-mfa configs the deployments ship (compose, and the chart's ConfigMap for every
// CI values file) pass the product's own `radius-mfa config check`.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CLI, COMPOSE_CONFIG, envExample } from './radius-mfa-process.js';
import { repoRoot, requireTool, run } from './tools.js';

const chart = join(repoRoot, 'deploy/helm/radius-mfa');
const scratch = mkdtempSync(join(tmpdir(), 'rmfa-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What the chart's pods get from the Secret (`secrets.existingSecret`), with test values. */
const chartSecretEnv = {
  REDIS_URL: 'redis://redis-master.redis.svc:6379',
  RADIUS_MFA_ADMIN_TOKEN: envExample().RADIUS_MFA_ADMIN_TOKEN!,
  RADIUS_MFA_SEALING_KEY: envExample().RADIUS_MFA_SEALING_KEY!,
  RADIUS_MFA_VPN_SECRET: envExample().RADIUS_MFA_VPN_SECRET!,
};

function configCheck(file: string, env: Record<string, string>) {
  return run(process.execPath, [CLI, 'config', 'check', file], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
}

async function renderedConfig(valuesFile: string): Promise<string> {
  const result = await run(requireTool('helm'), ['template', 'rmfa', chart, '-f', join(chart, 'ci', valuesFile)]);
  expect(result.code, result.stderr).toBe(0);
  const configMap = parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as { kind?: string; metadata?: { name: string }; data?: Record<string, string> } | null)
    .find((m) => m?.kind === 'ConfigMap' && m.metadata?.name === 'rmfa-radius-mfa');
  const file = join(scratch, `${valuesFile}.config.yaml`);
  writeFileSync(file, configMap!.data!['config.yaml']!);
  return file;
}

describe('shipped configs', () => {
  it('compose config passes `radius-mfa config check` with .env.example', async () => {
    const result = await configCheck(COMPOSE_CONFIG, envExample());
    expect(result.stdout).toContain('config OK');
    expect(result.code).toBe(0);
  });

  it('compose config is refused without its secrets', async () => {
    const { RADIUS_MFA_ADMIN_TOKEN: _dropped, ...withoutToken } = envExample();
    const result = await configCheck(COMPOSE_CONFIG, withoutToken);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('RADIUS_MFA_ADMIN_TOKEN');
  });

  it.each(readdirSync(join(chart, 'ci')).filter((f) => f.endsWith('.yaml')))(
    'chart config rendered with ci/%s passes `radius-mfa config check`',
    async (valuesFile) => {
      const result = await configCheck(await renderedConfig(valuesFile), chartSecretEnv);
      expect(result.stdout + result.stderr).toContain('config OK');
      expect(result.code).toBe(0);
    },
  );
});
