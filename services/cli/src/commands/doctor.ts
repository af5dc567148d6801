// `radius-mfa doctor`: checks Redis, the clock, each directory and notifier, and each client's secret and
// timeout; every finding says what is wrong and how to fix it.
import { Redis } from 'ioredis';
import { ConfigError, loadConfig, type Config, type ConfigProblem, type FirstFactor } from '@radius-mfa/config';
import { EntraError } from '@radius-mfa/directory';
import { createWorkerDependencies } from '@radius-mfa/mfa-worker';
import { createLogger, type RedisClient } from '@radius-mfa/runtime';
import { ExitCode, type Cli, type RegisterCommand } from '../cli.js';
import { configPathOf } from '../config-file.js';
import { clientFindings, clockFinding, configProblemFinding, directoryFinding, entraFindings, hardeningFindings, httpFinding, redisFindings, sealingFinding, type Finding } from '../doctor-checks.js';
import { RedisUnreachableError, closeRedis, connectRedis, redisLocation } from '../redis-connect.js';

const PROBE_TIMEOUT_MS = 10_000;

async function redisPart(config: Config): Promise<{ findings: Finding[]; redis?: RedisClient }> {
  const where = redisLocation(config.redis);
  let redis: RedisClient;
  try {
    redis = await connectRedis(config.redis, 'doctor');
  } catch (error) {
    if (!(error instanceof RedisUnreachableError)) throw error;
    return { findings: [{ check: 'redis', status: 'fail', detail: error.message, fix: 'start Redis, or correct redis.url (host, port, password) in the config' }] };
  }
  return { redis, findings: [...(await redisFindings(redis, where)), await clockFinding(redis, config.mfa.totp.period), await sealingFinding(config, redis)] };
}

async function providerPart(config: Config, redis: RedisClient | undefined, probeUser: string | undefined): Promise<Finding[]> {
  const findings: Finding[] = [];
  const used = new Set<FirstFactor>(config.clients.map((c) => c.firstFactor));
  // The worker's own provider wiring: doctor probes exactly what sign-ins will use.
  // The providers probed here never touch Redis; without one, a client that never connects stands in.
  const standIn = redis ?? new Redis({ lazyConnect: true, enableOfflineQueue: false });
  let deps;
  try {
    deps = createWorkerDependencies({ config, redis: standIn, logger: createLogger({ level: 'silent', name: 'doctor' }) });
  } catch (error) {
    // A broken Entra section stops the worker's wiring; entraFindings below says what is wrong with it.
    if (!(error instanceof EntraError)) throw error;
  }
  try {
    for (const kind of ['ldap', 'radius'] as const) if (used.has(kind) && deps) findings.push(await directoryFinding(kind, deps.firstFactors.get(kind), PROBE_TIMEOUT_MS));
  } finally {
    await deps?.close();
  }
  if (used.has('local')) {
    const count = config.directories.local?.users.length ?? 0;
    findings.push(count > 0 ? { check: 'directory local', status: 'ok', detail: `${count} users`, fix: '' } : { check: 'directory local', status: 'warn', detail: 'no users: every local sign-in is rejected', fix: 'add users with `radius-mfa hash-password`' });
  }
  if (config.directories.entra) findings.push(...(await entraFindings(config, probeUser)));
  const { push, sms, voice } = config.mfa;
  if (push) findings.push(await httpFinding(`push notifier (${push.notifier.type})`, push.notifier.url, PROBE_TIMEOUT_MS));
  if (sms?.sender.type === 'webhook') findings.push(await httpFinding('sms sender (webhook)', sms.sender.url, PROBE_TIMEOUT_MS));
  if (voice?.sender.type === 'webhook') findings.push(await httpFinding('voice sender (webhook)', voice.sender.url, PROBE_TIMEOUT_MS));
  return findings;
}

export async function runDoctor(cli: Cli, path: string, probeUser: string | undefined): Promise<Finding[]> {
  let config: Config;
  let warnings: ConfigProblem[];
  try {
    ({ config, warnings } = loadConfig(path, { env: cli.io.env }));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Nothing else can be checked without a config, but what it warns about still needs fixing.
    return [...error.problems.map((p) => configProblemFinding(p, 'fail')), ...error.warnings.map((w) => configProblemFinding(w, 'warn'))];
  }
  const { findings: redisFindingsList, redis } = await redisPart(config);
  try {
    return [...redisFindingsList, ...(await providerPart(config, redis, probeUser)), ...clientFindings(config, warnings), ...hardeningFindings(config)];
  } finally {
    if (redis) await closeRedis(redis);
  }
}

const MARK: Record<Finding['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

export const registerDoctorCommand: RegisterCommand = (program, cli) => {
  program
    .command('doctor')
    .description('check a deployment: Redis and its eviction policy, the clock, each directory and notifier, client secrets and timeouts')
    .option('-c, --config <file>', 'the YAML config (env RADIUS_MFA_CONFIG)')
    .option('--probe-user <name>', 'an existing user, for the Entra lookup checks')
    .option('--json', 'print { ok, findings: [{ check, status, detail, fix }] } as JSON')
    .addHelpText(
      'after',
      [
        '',
        'LDAP and upstream RADIUS are probed with a sign-in for a random unknown user (a Reject is the',
        'good answer); notifiers with an HTTP HEAD. Nothing is written to Redis.',
        'Exit status: 0 no failures (warnings may be listed), 1 at least one failure, 2 usage error.',
        '',
        'Examples:',
        '  radius-mfa doctor --config /etc/radius-mfa/config.yaml',
        '  radius-mfa doctor -c config.yaml --json | jq \'.findings[] | select(.status != "ok")\'',
      ].join('\n'),
    )
    .action(async (options: { config?: string; probeUser?: string; json?: boolean }) => {
      const path = configPathOf(cli, options.config);
      const findings = await runDoctor(cli, path, options.probeUser);
      const failed = findings.some((f) => f.status === 'fail');
      if (options.json) {
        cli.io.stdout.write(`${JSON.stringify({ ok: !failed, config: path, findings }, null, 2)}\n`);
      } else {
        cli.io.stdout.write(`radius-mfa doctor: ${path}\n`);
        for (const f of findings) cli.io.stdout.write(`  ${MARK[f.status]}  ${f.check}: ${f.detail}\n${f.fix ? `        fix: ${f.fix}\n` : ''}`);
        const count = (s: Finding['status']): number => findings.filter((f) => f.status === s).length;
        cli.io.stdout.write(`${count('fail')} failed, ${count('warn')} warnings, ${count('ok')} ok\n`);
      }
      cli.setExitCode(failed ? ExitCode.rejected : ExitCode.ok);
    });
};
