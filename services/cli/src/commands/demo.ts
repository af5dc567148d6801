// `radius-mfa demo` (what `npm start` runs): every role in one process on embedded defaults.
// Redis: REDIS_URL, or a private one (embedded-redis.ts). Config and secrets: made on the first
// run in the data directory. The roles run as `radius-mfa start --role all`, the same composition
// a container runs, in a child process of their own: Ctrl-C reaches only this process, which then
// stops the roles once (SIGTERM), waits for their drain, and stops Redis last.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@radius-mfa/config';
import { base32Decode, base32Encode, createEnrollmentLinks, enrollPushFor, enrollmentUrl, otpauthUri, type PushNotification } from '@radius-mfa/mfa';
import { Option } from 'commander';
import { CliUsageError, ExitCode, type Cli, type RegisterCommand } from '../cli.js';
import { DEMO_CLIENT, DEMO_NEWCOMER, DEMO_PORT_OPTIONS, DEMO_PUSH_USER, DEMO_USER, DemoPortError, chooseDemoPorts, loadOrCreateCredentials, renderDemoConfig, type DemoCredentials, type DemoPortRequest, type DemoPorts, type DemoPushTarget } from '../demo-config.js';
import { startDemoPushReceiver, type DemoPushReceiver } from '../demo-push-receiver.js';
import { NoRedisError, startEmbeddedRedis, type EmbeddedRedis } from '../embedded-redis.js';
import { terminalQr } from '../qr.js';
import { RedisUnreachableError } from '../redis-connect.js';
import { openUserAdmin } from '../user-admin.js';

const BIN = fileURLToPath(new URL('../../bin/radius-mfa.js', import.meta.url));
const READY_TIMEOUT_MS = 120_000;
const ENROLL_LINK_TTL_MS = 24 * 3600_000;

interface Prepared {
  readonly configFile: string;
  readonly ports: DemoPorts;
  readonly credentials: DemoCredentials;
  readonly totpSecret: string;
  readonly otpauthUri: string;
  readonly enrollUrl: string;
}

/** Enrolls the demo users, TOTP and push (first run, or a fresh Redis), and makes an enrollment link to show the page. */
async function prepareRedisData(configFile: string, cli: Cli, credentials: DemoCredentials): Promise<{ totpSecret: string; otpauthUri: string; enrollUrl: string }> {
  const { config } = loadConfig(configFile, { env: cli.io.env });
  const admin = await openUserAdmin(config);
  try {
    const existing = await admin.users.getTotpSecret(DEMO_USER);
    const secret = existing?.secret ?? base32Decode(credentials.totpSecret);
    if (!existing) await admin.users.enrollTotp(DEMO_USER, { secret, confirmed: true });
    if ((await admin.users.getUser(DEMO_PUSH_USER))?.push === undefined) await enrollPushFor(admin.users, DEMO_PUSH_USER, config.mfa.push?.notifier);
    const { token } = await createEnrollmentLinks(admin.redis, admin.keys).create(DEMO_NEWCOMER, { methods: ['totp'], ttlMs: ENROLL_LINK_TTL_MS });
    return {
      totpSecret: base32Encode(secret),
      otpauthUri: otpauthUri({ ...config.mfa.totp, account: DEMO_USER, secret }),
      enrollUrl: enrollmentUrl(config.api.publicUrl ?? config.api.listen, token),
    };
  } finally {
    await admin.close();
  }
}

async function prepare(cli: Cli, dataDir: string, redisUrl: string, push: DemoPushTarget, portRequest: DemoPortRequest): Promise<Prepared> {
  const { credentials } = await loadOrCreateCredentials(dataDir);
  const ports = await chooseDemoPorts(portRequest);
  const configFile = join(dataDir, 'demo-config.yaml');
  writeFileSync(configFile, renderDemoConfig(credentials, ports, redisUrl, push), { mode: 0o600 });
  return { configFile, ports, credentials, ...(await prepareRedisData(configFile, cli, credentials)) };
}

/** Ready when /readyz answers 200 (sockets bound, Redis answers) and the API answers; false if the roles exit first or time runs out. */
async function waitForReady(ports: DemoPorts, roles: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const exited = new Promise<false>((resolveExit) => roles.once('exit', () => resolveExit(false)));
  const poll = async (): Promise<boolean> => {
    while (Date.now() < deadline && roles.exitCode === null && roles.signalCode === null) {
      try {
        const readyz = await fetch(`http://127.0.0.1:${ports.ops}/readyz`, { signal: AbortSignal.timeout(2_000) });
        const api = readyz.ok ? await fetch(`http://127.0.0.1:${ports.api}/docs`, { signal: AbortSignal.timeout(2_000), redirect: 'manual' }) : undefined;
        if (api !== undefined && api.status < 500) return true;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  };
  return Promise.race([poll(), exited]);
}

async function banner(cli: Cli, prepared: Prepared, redisDescription: string): Promise<void> {
  const { ports, credentials } = prepared;
  const api = `http://127.0.0.1:${ports.api}`;
  const tryIt = (user: string): string => `npx radius-mfa test-auth --server 127.0.0.1:${ports.radius} --secret ${credentials.clientSecret} --user ${user} --password ${credentials.password}`;
  const lines = [
    `radius-mfa demo ready: RADIUS udp://127.0.0.1:${ports.radius}, API ${api}, metrics http://127.0.0.1:${ports.ops}/metrics`,
    `Redis: ${redisDescription}`,
    `Config: ${prepared.configFile}`,
    '',
    'Try a login (it asks for the code from your authenticator app):',
    `  ${tryIt(DEMO_USER)}`,
    'Unattended: add --respond CODE (the current code for the secret below).',
    '',
    `Try a push (user "${DEMO_PUSH_USER}", same password): its approval link is printed here when it is sent;`,
    'open it, enter the number test-auth shows and approve, then press Enter in test-auth:',
    `  ${tryIt(DEMO_PUSH_USER)}`,
    'Unattended: add --wait-push 120 (it presses Enter for you every 2 s until you approve).',
    '',
    `Demo user "${DEMO_USER}" on client "${DEMO_CLIENT}": password ${credentials.password}, TOTP secret ${prepared.totpSecret}`,
    `otpauth URI: ${prepared.otpauthUri}`,
    'Scan it with an authenticator app:',
    await terminalQr(prepared.otpauthUri),
    `Enrollment page (a link made for user "${DEMO_NEWCOMER}", valid 24 h): ${prepared.enrollUrl}`,
    `  then sign in as ${DEMO_NEWCOMER} with the same password: ${tryIt(DEMO_NEWCOMER)}`,
    `Approval page: each push prints its own link here ("Push for ${DEMO_PUSH_USER} …"); a real deployment sends it to the phone.`,
    `API docs (OpenAPI): ${api}/docs    admin token: in ${prepared.configFile}`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  cli.io.stdout.write(lines.join('\n'));
}

/** What a phone would show: the demo prints it, with the link to open in a browser. */
function describePush(push: PushNotification): string {
  const seconds = Math.max(Math.round((Date.parse(push.expiresAt) - Date.now()) / 1000), 0);
  return ['', `Push for ${push.user} on client ${push.client} (answer within ${seconds} s): open the approval page, enter the number test-auth shows:`, `  ${push.approveUrl}`, ''].join('\n');
}

/** SIGTERM once, then SIGKILL if the drain takes too long; resolves with the exit code. */
function stopRoles(roles: ChildProcess): Promise<number> {
  return new Promise((resolveStop) => {
    if (roles.exitCode !== null || roles.signalCode !== null) return resolveStop(roles.exitCode ?? ExitCode.error);
    const timer = setTimeout(() => roles.kill('SIGKILL'), 45_000);
    roles.once('exit', (code) => {
      clearTimeout(timer);
      resolveStop(code ?? ExitCode.error);
    });
    roles.kill('SIGTERM');
  });
}

export async function runDemo(cli: Cli, dataDir: string, portRequest: DemoPortRequest = {}): Promise<ExitCode> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let stopRequested: () => void = () => undefined;
  const stopSignal = new Promise<void>((resolveSignal) => (stopRequested = resolveSignal));
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    stopRequested();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let redis: EmbeddedRedis | undefined;
  let roles: ChildProcess | undefined;
  let pushes: DemoPushReceiver | undefined;
  try {
    const external = cli.io.env['REDIS_URL'];
    if (!external) {
      redis = await startEmbeddedRedis(join(dataDir, 'redis'), (code) => {
        cli.io.stderr.write(`radius-mfa demo: redis-server exited (code ${code}); stopping\n`);
        stopRequested();
      });
    }
    if (interrupted) return ExitCode.ok;
    pushes = await startDemoPushReceiver((push) => cli.io.stdout.write(describePush(push)));
    const prepared = await prepare(cli, dataDir, external ?? redis!.url, pushes, portRequest);
    if (interrupted) return ExitCode.ok;

    // Its own process group (detached): the terminal's Ctrl-C is ours to turn into one orderly SIGTERM.
    roles = spawn(process.execPath, [BIN, 'start', '--config', prepared.configFile, '--role', 'all'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
      env: { ...cli.io.env, RADIUS_MFA_CONFIG: prepared.configFile },
    });
    const ready = await Promise.race([waitForReady(prepared.ports, roles), stopSignal.then(() => false)]);
    if (!ready) {
      if (!interrupted) cli.io.stderr.write('radius-mfa demo: the roles did not become ready (see the log above)\n');
      const code = await stopRoles(roles);
      if (interrupted) return ExitCode.ok;
      return code === ExitCode.rejected ? ExitCode.rejected : ExitCode.error;
    }
    await banner(cli, prepared, external ? `REDIS_URL (${new URL(external).host})` : redis!.description);
    const exited = new Promise<void>((resolveExit) => roles!.once('exit', () => resolveExit()));
    await Promise.race([stopSignal, exited]);
    const code = await stopRoles(roles);
    cli.io.stdout.write('radius-mfa demo: stopped\n');
    return code === 0 ? ExitCode.ok : ExitCode.error;
  } catch (error) {
    if (error instanceof NoRedisError || error instanceof RedisUnreachableError || error instanceof DemoPortError) {
      cli.io.stderr.write(`radius-mfa demo: ${error.message}\n`);
      return ExitCode.error;
    }
    throw error;
  } finally {
    if (roles) await stopRoles(roles);
    await pushes?.close();
    await redis?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function portNumber(option: string) {
  return (value: string): number => {
    const port = Number(value);
    if (!/^\d+$/.test(value) || port > 65_535) throw new CliUsageError(`${option} must be a port number from 0 to 65535 (0 = any free port), not "${value}"`);
    return port;
  };
}

interface DemoOptions {
  readonly dataDir: string;
  readonly radiusPort?: number;
  readonly apiPort?: number;
  readonly opsPort?: number;
}

export const registerDemoCommand: RegisterCommand = (program, cli) => {
  program
    .command('demo')
    .description('all roles in one process on embedded defaults, bound to 127.0.0.1 (what `npm start` runs)')
    .option('--data-dir <dir>', 'where the demo keeps its config, secrets and Redis data', '.data')
    .addOption(new Option(`${DEMO_PORT_OPTIONS.radius} <port>`, 'RADIUS (UDP) port; 0 = any free port (default: 1812 when free)').argParser(portNumber(DEMO_PORT_OPTIONS.radius)))
    .addOption(new Option(`${DEMO_PORT_OPTIONS.api} <port>`, 'API and approval pages (HTTP) port; 0 = any free port (default: 8080 when free)').argParser(portNumber(DEMO_PORT_OPTIONS.api)))
    .addOption(new Option(`${DEMO_PORT_OPTIONS.ops} <port>`, 'metrics and health (HTTP) port; 0 = any free port (default: 9100 when free)').argParser(portNumber(DEMO_PORT_OPTIONS.ops)))
    .addHelpText(
      'after',
      [
        '',
        'Without REDIS_URL a private redis-server is started (data in DIR/redis, AOF on), or a Redis',
        'container where only Docker is available. The first run makes a client secret, an admin token,',
        'a sealing key and three demo users with one password: demo (TOTP), demo-push (push, the approval',
        'link printed here as it is sent: the demo receives its own pushes) and newcomer (nothing enrolled: a',
        'printed enrollment link sets up its TOTP); later runs reuse them. Pushes are limited to 20 a minute.',
        'RADIUS listens on 127.0.0.1:1812, the API on :8080 and metrics on :9100, or on free ports when taken;',
        'a port given by number is used or the demo stops (exit 2); 0 picks any free port.',
        'Exit status: 0 after Ctrl-C, 2 when Redis, a port or a role cannot start.',
        '',
        'Examples:',
        '  npm start',
        '  npm start -- --radius-port 0        # FreeRADIUS owns 1812: any free port, shown in the try-it command',
        '  REDIS_URL=redis://127.0.0.1:6379 npx radius-mfa demo --data-dir /tmp/rmfa-demo --api-port 8081',
      ].join('\n'),
    )
    .action(async (options: DemoOptions) => {
      cli.setExitCode(await runDemo(cli, resolve(options.dataDir), { radius: options.radiusPort, api: options.apiPort, ops: options.opsPort }));
    });
};
