// Every `${VAR}` deploy/compose/config.yaml reads reaches the containers that read it: docker-compose.yml
// passes it (and a value set in .env arrives unchanged), or the config gives a default and names the
// variable in a comment as kept at its container default. Both files are read; no list is written here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SECRET_VARIABLE, envExampleFilled, readEnvExample, writeEnvFile } from './compose-env.js';
import { CLI, COMPOSE_CONFIG } from './radius-mfa-process.js';
import { repoRoot, requireDockerCompose, run } from './tools.js';

interface Reference {
  name: string;
  /** The text after `:-`, when the config gives one. */
  fallback?: string;
}

interface ComposeServices {
  services: Record<string, { image?: string; environment?: Record<string, string | null> }>;
}

const COMPOSE_FILE = join(repoRoot, 'docker-compose.yml');
const REFERENCE = /\$\{(\w+)(?::-([^}]*))?\}/g;

const scratch = mkdtempSync(join(tmpdir(), 'rmfa-compose-config-env-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The config's references (outside comments) and its comment text. */
function readConfig(): { references: Reference[]; comments: string } {
  const references = new Map<string, Reference>();
  const comments: string[] = [];
  for (const line of readFileSync(COMPOSE_CONFIG, 'utf8').split('\n')) {
    const hash = line.search(/(^|\s)#/);
    if (hash !== -1) comments.push(line.slice(hash));
    for (const match of (hash === -1 ? line : line.slice(0, hash)).matchAll(REFERENCE)) {
      references.set(match[1]!, { name: match[1]!, ...(match[2] === undefined ? {} : { fallback: match[2] }) });
    }
  }
  return { references: [...references.values()], comments: comments.join('\n') };
}

/** .env filled in as documented, with a value of its own for every non-secret variable the config reads. */
function probeEnv(references: readonly Reference[]): Record<string, string> {
  const env = envExampleFilled();
  for (const { name } of references) if (name in env && !SECRET_VARIABLE.test(name)) env[name] = `probe-${name.toLowerCase()}`;
  return env;
}

/** The radius-mfa containers of a resolved Compose file: those running the image that reads the config. */
async function radiusMfaEnvironments(composeFile: string, env: Record<string, string>): Promise<Record<string, Record<string, string | null>>> {
  const envFile = writeEnvFile(join(scratch, 'probe.env'), env);
  const result = await run(requireDockerCompose(), ['--env-file', envFile, '-f', composeFile, 'config'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
  });
  expect(result.code, result.stderr).toBe(0);
  const { services } = parse(result.stdout) as ComposeServices;
  const image = env.RADIUS_MFA_IMAGE;
  const ours = Object.entries(services).filter(([, service]) => service.image === image);
  expect(ours.length).toBeGreaterThan(0);
  return Object.fromEntries(ours.map(([name, service]) => [name, service.environment ?? {}]));
}

/** What is wrong, one line per variable and container; empty when every reference reaches the containers. */
async function unpassedReferences(composeFile: string): Promise<string[]> {
  const { references, comments } = readConfig();
  const env = probeEnv(references);
  const problems: string[] = [];
  for (const [service, environment] of Object.entries(await radiusMfaEnvironments(composeFile, env))) {
    for (const { name, fallback } of references) {
      if (name in environment) {
        if (name in env && environment[name] !== env[name]) problems.push(`${service}: ${name} is ${environment[name]}, not the value set in .env`);
      } else if (fallback === undefined || !comments.includes(name)) {
        problems.push(`${service}: ${name} is not passed, and the config neither defaults it nor names it as kept at its container default`);
      }
    }
  }
  return problems;
}

describe('deploy/compose/config.yaml and docker-compose.yml', () => {
  it('passes every variable the config reads to the containers, with the value set in .env', async () => {
    expect(readConfig().references.length).toBeGreaterThan(0);
    expect(await unpassedReferences(COMPOSE_FILE)).toEqual([]);
  });

  it('reports a variable the Compose file stops passing (the walkthrough found RADIUS_MFA_PUSH_WEBHOOK_URL unpassed)', async () => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    const broken = join(scratch, 'docker-compose.yml');
    writeFileSync(broken, text.replace(/^ {4}RADIUS_MFA_PUSH_WEBHOOK_URL: .*\n/m, ''));
    expect(readFileSync(broken, 'utf8')).not.toBe(text);
    const problems = await unpassedReferences(broken);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((line) => line.includes('RADIUS_MFA_PUSH_WEBHOOK_URL is not passed'))).toBe(true);
  });

  it('gives each variable the same default in docker-compose.yml, deploy/compose/config.yaml and .env.example', () => {
    const compose = new Map([...readFileSync(COMPOSE_FILE, 'utf8').matchAll(REFERENCE)].filter((m) => m[2] !== undefined).map((m) => [m[1]!, m[2]!]));
    const shipped = new Map(readEnvExample().map((entry) => [entry.name, entry.value]));
    for (const { name, fallback } of readConfig().references) {
      if (fallback === undefined) continue;
      if (compose.has(name) && compose.get(name) !== '') expect(compose.get(name), `${name} in docker-compose.yml`).toBe(fallback);
      if (shipped.has(name) && !SECRET_VARIABLE.test(name)) expect(shipped.get(name), `${name} in .env.example`).toBe(fallback);
    }
  });

  it('the environment Compose gives a worker is enough for `radius-mfa config check`', async () => {
    const env = envExampleFilled();
    const environments = await radiusMfaEnvironments(COMPOSE_FILE, env);
    const worker = Object.entries(environments).find(([, e]) => e.RADIUS_MFA_ROLE === 'worker')![1];
    const containerEnv = Object.fromEntries(Object.entries(worker).filter((entry): entry is [string, string] => entry[1] !== null));
    const result = await run(process.execPath, [CLI, 'config', 'check', COMPOSE_CONFIG], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...containerEnv } });
    expect(result.stdout + result.stderr).toContain('config OK');
    expect(result.code).toBe(0);
  });
});
