// deploy/README.md "First user (Compose)", run without Docker: the image's entrypoint (what
// `docker-compose run --rm mfa-worker-1 COMMAND` executes) on the workspace build, a real Redis, the
// user snippet of the README spliced into a copy of deploy/compose/config.yaml, then a real sign-in,
// and a push that reaches a gateway only when signed with RADIUS_MFA_PUSH_SIGNING_SECRET.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, generateTotp } from '@radius-mfa/mfa';
import { freeTcpPort, freeUdpPort, startDaemonProcess, startFakePhone, startRedis, type DaemonProcess, type FakePhone, type RedisHandle } from '@radius-mfa/testing';
import { envExampleFilled } from './compose-env.js';
import { COMPOSE_CONFIG } from './radius-mfa-process.js';
import { repoRoot, run } from './tools.js';

const ENTRYPOINT = join(repoRoot, 'deploy/docker/entrypoint.sh');
const PASSWORD = 'a first password, typed at the prompt';

const scratch = mkdtempSync(join(tmpdir(), 'rmfa-first-user-'));
const ownConfig = join(scratch, 'radius-mfa.yaml');
let redis: RedisHandle;
let env: Record<string, string>;
let server: DaemonProcess | undefined;
let radiusPort: number | undefined;
/** The push gateway of RADIUS_MFA_PUSH_WEBHOOK_URL: it takes only pushes signed with the .env secret. */
let gateway: FakePhone;

/** The `users:` lines of the README's YAML snippet, as they go in place of `users: []`. */
function readmeUsersSnippet(): string {
  const readme = readFileSync(join(repoRoot, 'deploy/README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### First user (Compose)'), readme.indexOf('### Kubernetes'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (yaml === undefined) throw new Error('deploy/README.md "First user (Compose)" has no ```yaml snippet');
  return yaml.slice(yaml.indexOf('    users:'));
}

/** `docker-compose run --rm mfa-worker-1 ARGS`: the entrypoint with the container's environment. */
function entrypoint(args: readonly string[], input?: string) {
  return run('sh', [ENTRYPOINT, ...args], { env, ...(input === undefined ? {} : { input }) });
}

/** Every role on the user's config, as `docker-compose up -d` runs them; started once, by the first test that signs in. */
async function startStackOnce(): Promise<void> {
  if (radiusPort !== undefined) return;
  const port = await freeUdpPort();
  const opsPort = await freeTcpPort();
  const roleEnv = {
    ...env,
    RADIUS_MFA_ROLE: 'all',
    RADIUS_MFA_RADIUS_LISTEN: `udp://127.0.0.1:${port}`,
    RADIUS_MFA_API_LISTEN: `http://127.0.0.1:${await freeTcpPort()}`,
    RADIUS_MFA_OPS_LISTEN: `http://127.0.0.1:${opsPort}`,
  };
  server = startDaemonProcess('env', ['-i', ...Object.entries(roleEnv).map(([name, value]) => `${name}=${value}`), 'sh', ENTRYPOINT], mkdtempSync(join(scratch, 'server-')));
  await expect
    .poll(async () => (server!.exited() ? `exited: ${server!.output()}` : (await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => undefined))?.status))
    .toBe(200);
  radiusPort = port;
}

function testAuth(password: string, answer: string) {
  return entrypoint(['test-auth', '--server', `127.0.0.1:${radiusPort}`, '--secret', env.RADIUS_MFA_VPN_SECRET!, '--user', 'alice', '--password', password, '--respond', answer, '--timeout', '3', '--retries', '1']);
}

beforeAll(async () => {
  redis = await startRedis();
  const filled = envExampleFilled();
  gateway = await startFakePhone({ signingSecret: filled.RADIUS_MFA_PUSH_SIGNING_SECRET! });
  env = {
    ...filled,
    RADIUS_MFA_PUSH_WEBHOOK_URL: gateway.pushUrl,
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: process.env.HOME ?? '/tmp',
    RADIUS_MFA_APP_DIR: repoRoot,
    RADIUS_MFA_CONFIG: ownConfig,
    REDIS_URL: redis.url,
  };
  // `printf '%s' PASSWORD | docker-compose run --rm -T mfa-worker-1 hash-password`
  const hashed = await entrypoint(['hash-password'], PASSWORD);
  expect(hashed.code, hashed.stderr).toBe(0);
  const hash = hashed.stdout.trim();
  expect(hash).toMatch(/^\$argon2id\$/);
  const users = readmeUsersSnippet().replace(/passwordHash: ".*"/, `passwordHash: "${hash}"`);
  const shipped = readFileSync(COMPOSE_CONFIG, 'utf8');
  expect(shipped).toMatch(/^ {4}users: \[\]\n/m);
  writeFileSync(ownConfig, shipped.replace(/^ {4}users: \[\]\n/m, users));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await gateway?.close();
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('deploy/README.md: the first Compose user', () => {
  it('the shipped config warns that every local sign-in is rejected; the copy with the README user does not', async () => {
    const shipped = await entrypoint(['config', 'check', COMPOSE_CONFIG]);
    expect(shipped.code).toBe(0);
    expect(shipped.stdout).toContain('directories.local.users is empty');
    const own = await entrypoint(['config', 'check', ownConfig]);
    expect(own.stdout).toContain('config OK');
    expect(own.stdout).not.toContain('directories.local.users is empty');
    // Nor any other: the pushes are signed (no mfa.push.notifier.signingSecret warning).
    expect(own.stdout.trim()).toBe(`config OK: ${ownConfig}`);
    expect(own.code).toBe(0);
  });

  it('enrolls the user, and test-auth signs in with the password and the TOTP code through a running stack', async () => {
    const enrolled = await entrypoint(['users', 'enroll', 'alice', '--totp', '--json']);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    const secret = (JSON.parse(enrolled.stdout) as { totp: { secret: string } }).totp.secret;

    await startStackOnce();
    const accepted = await testAuth(PASSWORD, generateTotp(base32Decode(secret)));
    expect(accepted.stdout).toContain('result: accept');
    expect(accepted.code).toBe(0);
    const rejected = await testAuth('not her password', generateTotp(base32Decode(secret)));
    expect(rejected.stdout).toContain('result: reject');
    expect(rejected.code).toBe(1);
  });

  it('signs every push with RADIUS_MFA_PUSH_SIGNING_SECRET: a gateway that verifies the signature takes it', async () => {
    const enrolled = await entrypoint(['users', 'enroll', 'alice', '--push']);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    await startStackOnce();
    // "push" at the menu; the approval prompt then stays unanswered: only the webhook matters here.
    const signIn = testAuth(PASSWORD, 'push');
    const push = await gateway.nextPush(15_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; refused by the gateway: ${JSON.stringify(gateway.rejected.map((r) => r.reason))}`);
    });
    expect(push.user).toBe('alice');
    expect(push.headers['x-radius-mfa-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(gateway.rejected).toEqual([]);
    expect((await signIn).stdout).toMatch(/Access-Challenge/);
  });
});
