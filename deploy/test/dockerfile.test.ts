// The Dockerfile and its helpers. No Docker engine runs here, so the image is not built:
// the Dockerfile is read instruction by instruction, the build context is checked against
// .dockerignore, and the entrypoint and healthcheck scripts run for real.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isInBuildContext, parseDockerignore } from './dockerignore.js';
import { repoRoot, run } from './tools.js';

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || line === '') continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  return logical.map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
  });
}

const instructions = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const stages: Instruction[][] = [];
for (const instruction of instructions) {
  if (instruction.keyword === 'FROM') stages.push([]);
  stages.at(-1)?.push(instruction);
}
const finalStage = stages.at(-1)!;
const ofFinal = (keyword: string) => finalStage.filter((i) => i.keyword === keyword);

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

describe('Dockerfile', () => {
  it('builds in one stage and runs Node 24 in a second one', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const nodeImage = /^ARG NODE_IMAGE=(\S+)/m.exec(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'))?.[1];
    expect(nodeImage).toMatch(/^node:24-bookworm-slim$|nodejs24-debian12/);
    expect(stages.map((s) => s[0]!.args)).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE} AS production']);
  });

  it('builds with dev dependencies, then installs production dependencies only', () => {
    const build = stages[0]!.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/tsc -b/);
    const prod = ofFinal('RUN').map((i) => i.args).join('\n');
    expect(prod).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(prod).toMatch(/npm rebuild argon2/);
    expect(ofFinal('COPY').map((i) => i.args)).toEqual(['--from=build /out/ ./']);
  });

  it('runs as a non-root user under tini with a healthcheck', () => {
    const user = ofFinal('USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(ofFinal('HEALTHCHECK').at(-1)?.args).toMatch(/CMD \["node", "\/app\/healthcheck\.mjs"\]/);
    const entrypoint = JSON.parse(ofFinal('ENTRYPOINT').at(-1)!.args) as string[];
    expect(entrypoint.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
    expect(ofFinal('RUN').some((i) => /apt-get install .*\btini\b/.test(i.args))).toBe(true);
    expect(ofFinal('EXPOSE').at(-1)?.args.split(' ')).toEqual(
      expect.arrayContaining(['1812/udp', '1813/udp', '2083/tcp', '8080/tcp', '9100/tcp']),
    );
  });

  it('takes the role and the config path from the environment', () => {
    const env = ofFinal('ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/RADIUS_MFA_ROLE=/);
    expect(env).toMatch(/RADIUS_MFA_CONFIG=\/etc\/radius-mfa\/config\.yaml/);
  });
});

describe('.dockerignore', () => {
  const patterns = parseDockerignore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));

  it('sends the sources, manifests and container scripts', () => {
    for (const path of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.base.json',
      'libs/runtime/src/index.ts',
      'libs/runtime/package.json',
      'services/cli/bin/radius-mfa.js',
      'services/cli/src/main.ts',
      'deploy/docker/entrypoint.sh',
      'deploy/docker/healthcheck.mjs',
      'deploy/docker/assemble.sh',
    ]) {
      expect(existsSync(join(repoRoot, path)), `${path} exists`).toBe(true);
      expect(isInBuildContext(patterns, path), `${path} in context`).toBe(true);
    }
  });

  it('keeps out build output, dependencies, secrets and local tools', () => {
    for (const path of [
      'node_modules/yaml/package.json',
      'libs/runtime/node_modules/x',
      'libs/runtime/dist/index.js',
      'services/cli/dist/main.js',
      '.env',
      'deploy/.env.production',
      '.git/HEAD',
      '.tools/helm',
      'certs/server.key',
      'libs/runtime/test/metrics.test.ts',
    ]) {
      expect(isInBuildContext(patterns, path), `${path} kept out`).toBe(false);
    }
    expect(isInBuildContext(patterns, '.env.example')).toBe(true);
  });

  it('matcher follows Docker semantics (last match wins, ** spans directories)', () => {
    const rules = parseDockerignore('**/dist\n*.md\n!README.md\n');
    expect(isInBuildContext(rules, 'a/b/dist/x.js')).toBe(false);
    expect(isInBuildContext(rules, 'dist/x.js')).toBe(false);
    expect(isInBuildContext(rules, 'distribution/x.js')).toBe(true);
    expect(isInBuildContext(rules, 'NOTES.md')).toBe(false);
    expect(isInBuildContext(rules, 'README.md')).toBe(true);
    expect(isInBuildContext(rules, 'docs/NOTES.md')).toBe(true);
  });
});

describe('entrypoint.sh', () => {
  /** A fake `node` that prints its arguments one per line, in a directory put first on PATH. */
  function fakeNode(): string {
    const dir = mkdtempSync(join(tmpdir(), 'rmfa-entry-'));
    scratchDirs.push(dir);
    writeFileSync(join(dir, 'node'), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
    chmodSync(join(dir, 'node'), 0o755);
    return dir;
  }
  const entrypoint = join(repoRoot, 'deploy/docker/entrypoint.sh');

  it('starts the role from RADIUS_MFA_ROLE with the config from RADIUS_MFA_CONFIG', async () => {
    const dir = fakeNode();
    const env = { PATH: `${dir}:/usr/bin:/bin`, RADIUS_MFA_ROLE: 'worker', RADIUS_MFA_CONFIG: '/cfg/c.yaml', RADIUS_MFA_APP_DIR: '/srv/app' };
    for (const args of [[], ['start']]) {
      const result = await run(entrypoint, args, { env });
      expect(result.code).toBe(0);
      expect(result.stdout.trim().split('\n')).toEqual([
        '--max-semi-space-size=16',
        '/srv/app/services/cli/bin/radius-mfa.js',
        'start',
        '--role',
        'worker',
        '--config',
        '/cfg/c.yaml',
      ]);
    }
  });

  it('runs a role with RADIUS_MFA_NODE_FLAGS (several, or none when set empty), as the benchmarks run the roles', async () => {
    const dir = fakeNode();
    const base = { PATH: `${dir}:/usr/bin:/bin`, RADIUS_MFA_ROLE: 'ingress', RADIUS_MFA_CONFIG: '/c.yaml', RADIUS_MFA_APP_DIR: '/app' };
    const argv = async (flags: string): Promise<string[]> => (await run(entrypoint, ['start'], { env: { ...base, RADIUS_MFA_NODE_FLAGS: flags } })).stdout.trim().split('\n');
    expect((await argv('--max-semi-space-size=8 --max-old-space-size=256')).slice(0, 3)).toEqual(['--max-semi-space-size=8', '--max-old-space-size=256', '/app/services/cli/bin/radius-mfa.js']);
    expect((await argv(''))[0]).toBe('/app/services/cli/bin/radius-mfa.js');
    // The benchmarks start their role processes with the image's default flags: what is measured is what ships.
    const bench = readFileSync(join(repoRoot, 'bench/_lib/system.mjs'), 'utf8');
    expect(/ROLE_NODE_FLAGS = \[([^\]]*)\]/.exec(bench)?.[1]?.replace(/['\s]/g, '')).toBe('--max-semi-space-size=16');
  });

  it('passes any other command to the CLI unchanged', async () => {
    const dir = fakeNode();
    const result = await run(entrypoint, ['config', 'check', '/etc/radius-mfa/config.yaml'], {
      env: { PATH: `${dir}:/usr/bin:/bin`, RADIUS_MFA_APP_DIR: '/app' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['/app/services/cli/bin/radius-mfa.js', 'config', 'check', '/etc/radius-mfa/config.yaml']);
  });
});

describe('healthcheck.mjs', () => {
  const script = join(repoRoot, 'deploy/docker/healthcheck.mjs');

  async function serve(status: number): Promise<{ server: Server; port: number }> {
    const server = createServer((request, response) => {
      response.statusCode = request.url === '/healthz' ? status : 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, port: (server.address() as AddressInfo).port };
  }
  const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

  it('exits 0 when /healthz answers 200 and 1 when it answers 503', async () => {
    for (const [status, expected] of [
      [200, 0],
      [503, 1],
    ] as const) {
      const { server, port } = await serve(status);
      try {
        const result = await run(process.execPath, [script], { env: { ...process.env, RADIUS_MFA_OPS_PORT: String(port) } });
        expect(result.code, `status ${status}`).toBe(expected);
      } finally {
        await close(server);
      }
    }
  });

  it('exits 1 when nothing listens', async () => {
    const { server, port } = await serve(200);
    await close(server);
    const result = await run(process.execPath, [script], { env: { ...process.env, RADIUS_MFA_OPS_PORT: String(port) } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('healthcheck:');
  });
});
