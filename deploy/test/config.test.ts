// The radius-mfa configs the deployments ship (compose, and the chart's ConfigMap for every
// CI values file) pass the product's own `radius-mfa config check`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { envExampleFilled, readEnvExample } from './compose-env.js';
import { CLI, COMPOSE_CONFIG } from './radius-mfa-process.js';
import { repoRoot, requireTool, run } from './tools.js';

const chart = join(repoRoot, 'deploy/helm/radius-mfa');
const scratch = mkdtempSync(join(tmpdir(), 'rmfa-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What the chart's pods get from the Secret (`secrets.existingSecret`), with generated values. */
const chartSecretEnv = {
  REDIS_URL: 'redis://redis-master.redis.svc:6379',
  RADIUS_MFA_ADMIN_TOKEN: envExampleFilled().RADIUS_MFA_ADMIN_TOKEN!,
  RADIUS_MFA_SEALING_KEY: envExampleFilled().RADIUS_MFA_SEALING_KEY!,
  RADIUS_MFA_VPN_SECRET: envExampleFilled().RADIUS_MFA_VPN_SECRET!,
};

/** What .env.example shipped before secrets had to be generated: public, so they must be refused. */
const OLD_EXAMPLE_SECRETS = {
  RADIUS_MFA_ADMIN_TOKEN: 'replace-me-with-the-output-of-openssl-rand-hex-32',
  RADIUS_MFA_SEALING_KEY: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  RADIUS_MFA_VPN_SECRET: 'change-me-radius-secret',
};

function configCheck(file: string, env: Record<string, string>) {
  return run(process.execPath, [CLI, 'config', 'check', file], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
}

/** The fenced blocks of one section (`## heading` up to the next `## `) of the chart README. */
function chartReadmeBlocks(heading: string, language: string): string[] {
  const readme = readFileSync(join(chart, 'README.md'), 'utf8');
  const start = readme.indexOf(`## ${heading}\n`);
  expect(start, `chart README section "${heading}"`).not.toBe(-1);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!);
}

async function renderedConfig(valuesFile: string): Promise<string> {
  const result = await run(requireTool('helm'), ['template', 'rmfa', chart, '-f', valuesFile.includes('/') ? valuesFile : join(chart, 'ci', valuesFile)]);
  expect(result.code, result.stderr).toBe(0);
  const configMap = parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as { kind?: string; metadata?: { name: string }; data?: Record<string, string> } | null)
    .find((m) => m?.kind === 'ConfigMap' && m.metadata?.name === 'rmfa-radius-mfa');
  const file = join(scratch, `${basename(valuesFile)}.config.yaml`);
  writeFileSync(file, configMap!.data!['config.yaml']!);
  return file;
}

describe('shipped configs', () => {
  it('compose config passes `radius-mfa config check` with .env.example filled in as documented', async () => {
    const result = await configCheck(COMPOSE_CONFIG, envExampleFilled());
    expect(result.stdout).toContain('config OK');
    expect(result.stdout, 'pushes go out signed').not.toContain('mfa.push.notifier.signingSecret');
    expect(result.code).toBe(0);
  });

  it('compose config is refused without its secrets', async () => {
    const { RADIUS_MFA_ADMIN_TOKEN: _dropped, ...withoutToken } = envExampleFilled();
    const result = await configCheck(COMPOSE_CONFIG, withoutToken);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('RADIUS_MFA_ADMIN_TOKEN');
  });

  it('compose config is refused without the push signing secret, naming the variable', async () => {
    const { RADIUS_MFA_PUSH_SIGNING_SECRET: _dropped, ...unsigned } = envExampleFilled();
    const result = await configCheck(COMPOSE_CONFIG, unsigned);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/mfa\.push\.notifier\.signingSecret: .*RADIUS_MFA_PUSH_SIGNING_SECRET/);
  });

  it('compose config is refused with .env.example as shipped (secrets empty)', async () => {
    const shipped = Object.fromEntries(readEnvExample().map((e) => [e.name, e.value]));
    const result = await configCheck(COMPOSE_CONFIG, shipped);
    expect(result.code).toBe(1);
    const problems = result.stdout.split('\nwarnings:\n')[0]!;
    for (const key of ['api.adminToken', 'security.sealingKeys[0].key', 'clients[0].secret', 'mfa.push.notifier.signingSecret']) expect(problems + result.stderr).toContain(`${key}: `);
  });

  it('compose config is refused with the well-known secrets the old .env.example held, naming each and never echoing it', async () => {
    const result = await configCheck(COMPOSE_CONFIG, { ...envExampleFilled(), ...OLD_EXAMPLE_SECRETS });
    const output = result.stdout + result.stderr;
    expect(result.code).toBe(1);
    expect(output).not.toContain('config OK');
    expect(output).toMatch(/api\.adminToken: .*\n\s+fix: .*openssl rand -hex 32/);
    expect(output).toMatch(/security\.sealingKeys\[0\]\.key: .*\n\s+fix: .*openssl rand -base64 32/);
    expect(output).toMatch(/clients\[0\]\.secret: .*\n\s+fix: .*openssl rand -base64 24/);
    for (const secret of Object.values(OLD_EXAMPLE_SECRETS)) expect(output).not.toContain(secret);
  });

  it.each(readdirSync(join(chart, 'ci')).filter((f) => f.endsWith('.yaml')))(
    'chart config rendered with ci/%s passes `radius-mfa config check`',
    async (valuesFile) => {
      const result = await configCheck(await renderedConfig(valuesFile), chartSecretEnv);
      expect(result.stdout + result.stderr).toContain('config OK');
      expect(result.code).toBe(0);
    },
  );

  it("the chart README's REDIS_URL, with a generated Redis password, passes; its old PASSWORD placeholder is refused", async () => {
    const install = chartReadmeBlocks('Install', 'sh').join('\n');
    const template = /--from-literal=REDIS_URL="([^"]+)"/.exec(install)?.[1];
    expect(template).toContain('${REDIS_PASSWORD}');
    const file = await renderedConfig('default-values.yaml');
    const withUrl = (url: string) => configCheck(file, { ...chartSecretEnv, REDIS_URL: url });
    const generated = await withUrl(template!.replace('${REDIS_PASSWORD}', randomBytes(32).toString('hex')));
    expect(generated.stdout + generated.stderr).toContain('config OK');
    const placeholder = await withUrl(template!.replace('${REDIS_PASSWORD}', 'PASSWORD'));
    expect(placeholder.code).toBe(1);
    expect(placeholder.stdout + placeholder.stderr).toContain('redis.url');
  });

  it("the chart README's local-user and LDAP values pass `radius-mfa config check`, the local one with no empty-users warning", async () => {
    const [local, ldap] = chartReadmeBlocks('Users: local or LDAP', 'yaml');
    const env = { ...chartSecretEnv, RADIUS_MFA_HASH_ALICE: '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$' + 'A'.repeat(43), RADIUS_MFA_LDAP_BIND_PASSWORD: randomBytes(24).toString('base64') };
    for (const [name, values] of [['local', local], ['ldap', ldap]] as const) {
      expect(values, `${name} values in the chart README`).toBeDefined();
      const valuesFile = join(scratch, `readme-${name}.yaml`);
      writeFileSync(valuesFile, values!);
      const result = await configCheck(await renderedConfig(valuesFile), env);
      expect(result.stdout + result.stderr, name).toContain('config OK');
      expect(result.stdout, name).not.toContain('directories.local.users is empty');
    }
    const withoutUser = await configCheck(await renderedConfig('default-values.yaml'), chartSecretEnv);
    expect(withoutUser.stdout).toContain('directories.local.users is empty');
  });
});
