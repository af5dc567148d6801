// docker-compose.yml, checked by Debian's docker-compose 1.29 (`config`, no engine needed)
// and by reading the configuration it resolves.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_EXAMPLE, SECRET_VARIABLE, envExampleFilled, generatedValue, readEnvExample, writeEnvFile } from './compose-env.js';
import { repoRoot, requireDockerCompose, run } from './tools.js';

interface ComposeService {
  image?: string;
  command?: string[] | string;
  ports?: { target: number; published: number | string; protocol?: string }[] | string[];
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  profiles?: string[];
  read_only?: boolean;
  volumes?: ({ source?: string; target: string } | string)[];
}
interface ComposeConfig {
  services: Record<string, ComposeService>;
}

const radiusMfaServices = ['radius-ingress-1', 'radius-ingress-2', 'mfa-worker-1', 'mfa-worker-2', 'results-api'];

/** Only PATH: no secret from the developer's shell may satisfy a required variable. */
function cleanEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
}

const scratch = mkdtempSync(join(tmpdir(), 'rmfa-compose-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** .env.example filled in as its comments say, the way a user's .env is. */
const filledEnvFile = writeEnvFile(join(scratch, 'filled.env'), envExampleFilled());

async function composeConfig(file: string, extraArgs: readonly string[] = [], envFile = filledEnvFile) {
  return run(requireDockerCompose(), ['--env-file', envFile, '-f', file, ...extraArgs, 'config'], {
    env: cleanEnv(),
  });
}

/** The `sed -i` block of deploy/README.md that fills in the secrets of a fresh .env. */
function readmeSecretsCommand(): string {
  const readme = readFileSync(join(repoRoot, 'deploy/README.md'), 'utf8');
  const command = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('sed -i'));
  if (command === undefined) throw new Error('deploy/README.md has no ```sh block with the `sed -i` that fills in .env');
  return command;
}

let resolved: ComposeConfig;
let resolvedDemo: ComposeConfig;
beforeAll(async () => {
  const plain = await composeConfig(join(repoRoot, 'docker-compose.yml'));
  expect(plain.stderr).toBe('');
  expect(plain.code).toBe(0);
  resolved = parse(plain.stdout) as ComposeConfig;
  const demo = await composeConfig(join(repoRoot, 'docker-compose.yml'), ['--profile', 'demo']);
  expect(demo.code).toBe(0);
  resolvedDemo = parse(demo.stdout) as ComposeConfig;
});

function portsOf(service: ComposeService): string[] {
  return (service.ports ?? []).map((port) =>
    typeof port === 'string' ? port : `${port.published}:${port.target}/${port.protocol ?? 'tcp'}`,
  );
}

describe('docker-compose.yml', () => {
  it('passes `docker-compose config -q` with .env.example filled in as documented', async () => {
    const result = await run(requireDockerCompose(), ['--env-file', filledEnvFile, '-f', 'docker-compose.yml', 'config', '-q'], {
      env: cleanEnv(),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('refuses to resolve without the secrets, naming the variable and the command that makes it', async () => {
    const empty = join(scratch, 'empty.env');
    writeFileSync(empty, '');
    const result = await run(requireDockerCompose(), ['--env-file', empty, '-f', 'docker-compose.yml', 'config', '-q'], {
      env: cleanEnv(),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/set RADIUS_MFA_\w+ in \.env to the output of: openssl rand -(hex|base64) \d+/);
  });

  it.each(readEnvExample().filter((e) => SECRET_VARIABLE.test(e.name)).map((e) => e.name))(
    'refuses to resolve while %s is left empty as .env.example ships it',
    async (name) => {
      const withoutOne = writeEnvFile(join(scratch, `without-${name}.env`), { ...envExampleFilled(), [name]: '' });
      const result = await run(requireDockerCompose(), ['--env-file', withoutOne, '-f', 'docker-compose.yml', 'config', '-q'], {
        env: cleanEnv(),
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`set ${name} in .env to the output of: openssl rand`);
    },
  );

  it('refuses .env.example as shipped: copying it without filling in the secrets cannot start the stack', async () => {
    const result = await run(requireDockerCompose(), ['--env-file', ENV_EXAMPLE, '-f', 'docker-compose.yml', 'config', '-q'], {
      env: cleanEnv(),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/set \w+ in \.env to the output of: openssl rand/);
  });

  it('fails validation when a service carries an unknown key', async () => {
    const broken = join(scratch, 'docker-compose.yml');
    const text = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
    writeFileSync(broken, text.replace('  results-api:\n', '  results-api:\n    replica_count: 2\n'));
    const result = await run(requireDockerCompose(), ['--env-file', filledEnvFile, '-f', broken, 'config', '-q'], {
      env: cleanEnv(),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('replica_count');
  });

  it('runs Redis with noeviction, AOF every second and a healthcheck', () => {
    const redis = resolved.services.redis!;
    const command = Array.isArray(redis.command) ? redis.command.join(' ') : String(redis.command);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--appendfsync everysec/);
    expect(redis.healthcheck?.test).toBeDefined();
  });

  it('has two ingress publishing UDP 1812, two workers and results-api, all waiting for a healthy Redis', () => {
    for (const name of radiusMfaServices) {
      const service = resolved.services[name];
      expect(service, name).toBeDefined();
      expect(service!.depends_on?.redis?.condition, name).toBe('service_healthy');
      expect(service!.read_only, name).toBe(true);
      expect(service!.environment?.RADIUS_MFA_ADMIN_TOKEN, name).toBeTruthy();
    }
    expect(resolved.services['radius-ingress-1']!.environment?.RADIUS_MFA_ROLE).toBe('ingress');
    expect(resolved.services['radius-ingress-2']!.environment?.RADIUS_MFA_ROLE).toBe('ingress');
    expect(resolved.services['mfa-worker-1']!.environment?.RADIUS_MFA_ROLE).toBe('worker');
    expect(resolved.services['mfa-worker-2']!.environment?.RADIUS_MFA_ROLE).toBe('worker');
    expect(resolved.services['results-api']!.environment?.RADIUS_MFA_ROLE).toBe('results');
    expect(portsOf(resolved.services['radius-ingress-1']!)).toEqual(['1812:1812/udp']);
    expect(portsOf(resolved.services['radius-ingress-2']!)).toEqual(['11812:1812/udp']);
  });

  it('has Prometheus scraping every radius-mfa container and Grafana provisioned from files', () => {
    const prometheus = parse(readFileSync(join(repoRoot, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[]; labels?: Record<string, string> }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets));
    for (const name of radiusMfaServices) expect(targets).toContain(`${name}:9100`);
    const roles = prometheus.scrape_configs.flatMap((job) => job.static_configs.map((c) => c.labels?.role)).filter(Boolean);
    expect(new Set(roles)).toEqual(new Set(['ingress', 'worker', 'results']));

    // 1.29 prints short-syntax volumes: source:target[:mode].
    const grafanaMounts = (resolved.services.grafana!.volumes ?? []).map((v) =>
      typeof v === 'string' ? v.replace(/:(ro|rw)$/, '') : `${v.source}:${v.target}`,
    );
    expect(grafanaMounts).toContain(`${join(repoRoot, 'deploy/grafana/provisioning')}:/etc/grafana/provisioning`);
    const provider = parse(readFileSync(join(repoRoot, 'deploy/grafana/provisioning/dashboards/radius-mfa.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    expect(grafanaMounts).toContain(`${join(repoRoot, 'deploy/grafana/dashboards')}:${provider.providers[0]!.options.path}`);
    expect(resolved.services.grafana!.depends_on?.prometheus?.condition).toBe('service_healthy');
  });

  it('starts OpenLDAP only in the demo profile', () => {
    expect(resolvedDemo.services.openldap?.profiles).toEqual(['demo']);
    const profiled = Object.entries(resolved.services).filter(([, service]) => service.profiles !== undefined);
    expect(profiled.map(([name]) => name)).toEqual(['openldap']);
  });

  it('pulls no image from docker.io/bitnami (its free images moved to bitnamilegacy/ in 2025)', () => {
    const images = Object.values(resolvedDemo.services).map((service) => service.image ?? '');
    expect(images.filter((image) => /^(docker\.io\/)?bitnami\//.test(image))).toEqual([]);
    expect(resolvedDemo.services.openldap?.image).toMatch(/^bitnamilegacy\/openldap:2\.6/);
  });

  it('.env.example holds no secret: each is empty, with the command that generates it', () => {
    const secrets = readEnvExample().filter((entry) => SECRET_VARIABLE.test(entry.name));
    expect(secrets.map((e) => e.name).sort()).toEqual(['GRAFANA_ADMIN_PASSWORD', 'RADIUS_MFA_ADMIN_TOKEN', 'RADIUS_MFA_LDAP_BIND_PASSWORD', 'RADIUS_MFA_PUSH_SIGNING_SECRET', 'RADIUS_MFA_SEALING_KEY', 'RADIUS_MFA_VPN_SECRET']);
    for (const entry of secrets) {
      expect(entry.value, `${entry.name} must ship empty`).toBe('');
      expect(() => generatedValue(entry), entry.name).not.toThrow();
    }
  });

  it('gives every radius-mfa container the push signing secret from .env: the config signs each push with it', () => {
    const secret = envExampleFilled().RADIUS_MFA_PUSH_SIGNING_SECRET;
    expect(secret, 'RADIUS_MFA_PUSH_SIGNING_SECRET in .env.example').toBeTruthy();
    for (const name of radiusMfaServices) expect(resolved.services[name]!.environment?.RADIUS_MFA_PUSH_SIGNING_SECRET, name).toBe(secret);
    const config = parse(readFileSync(join(repoRoot, 'deploy/compose/config.yaml'), 'utf8')) as { mfa: { push: { notifier: Record<string, string> } } };
    expect(config.mfa.push.notifier).toMatchObject({ type: 'webhook', signingSecret: '${RADIUS_MFA_PUSH_SIGNING_SECRET}' });
  });

  it("deploy/README.md's sed command fills in every secret .env.example ships empty, so Compose resolves", async () => {
    const dir = mkdtempSync(join(scratch, 'readme-'));
    copyFileSync(ENV_EXAMPLE, join(dir, '.env'));
    const filled = await run('sh', ['-c', readmeSecretsCommand()], { cwd: dir, env: cleanEnv() });
    expect(filled.code, filled.stderr).toBe(0);
    const values = new Map(readFileSync(join(dir, '.env'), 'utf8').split('\n').map((line) => /^(\w+)=(.*)$/.exec(line)).filter((m) => m !== null).map((m) => [m[1]!, m[2]!]));
    for (const entry of readEnvExample().filter((e) => SECRET_VARIABLE.test(e.name))) expect(values.get(entry.name), `${entry.name} after the README's sed`).not.toBe('');
    const result = await composeConfig(join(repoRoot, 'docker-compose.yml'), [], join(dir, '.env'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('requires every secret it passes on (`:?`), so an empty one stops it', () => {
    const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
    const required = new Set([...compose.matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!));
    for (const name of readEnvExample().map((e) => e.name).filter((n) => SECRET_VARIABLE.test(n))) expect(required, name).toContain(name);
  });

  it('documents every variable it interpolates in .env.example', () => {
    const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
    const used = new Set([...compose.matchAll(/\$\{(\w+)/g)].map((m) => m[1]!));
    const documented = new Set(readEnvExample().map((entry) => entry.name));
    for (const name of used) expect(documented, `${name} missing from .env.example`).toContain(name);
  });
});
