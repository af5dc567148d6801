// `radius-mfa start`: one process running one role, or all of them (the composition root).
import { Option } from 'commander';
import { ConfigError, loadConfig, type ConfigProblem } from '@radius-mfa/config';
import {
  ROLE_NAMES,
  addStartupGate,
  createLogger,
  createRoleContext,
  newInstanceId,
  redisReadinessCheck,
  startOpsServer,
  type RoleName,
  type RunningRole,
} from '@radius-mfa/runtime';
import { EntraError } from '@radius-mfa/directory';
import { CliUsageError, ExitCode, type Cli, type RegisterCommand } from '../cli.js';
import { roleStarter } from '../roles.js';
import { createSharedPieces, type SharedPieces } from '../shared-pieces.js';

const ROLE_CHOICES = ['all', ...ROLE_NAMES] as const;
type RoleChoice = (typeof ROLE_CHOICES)[number];

function isRoleChoice(value: string): value is RoleChoice {
  return (ROLE_CHOICES as readonly string[]).includes(value);
}

async function start(cli: Cli, configPath: string, role: RoleChoice): Promise<ExitCode> {
  let loaded: { config: ReturnType<typeof loadConfig>['config']; warnings: ConfigProblem[] };
  try {
    loaded = loadConfig(configPath, { env: cli.io.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    cli.io.stderr.write(`radius-mfa: refusing to start\n${error.message}\n`);
    return ExitCode.rejected;
  }
  const { config, warnings } = loaded;
  const instanceId = newInstanceId();
  const logger = createLogger({ level: config.log.level, name: role, instanceId });
  for (const warning of warnings) logger.warn({ path: warning.path, fix: warning.fix }, `config: ${warning.path} ${warning.message}`);

  const { context, closeRedisConnections } = createRoleContext({ config, logger, instanceId });
  const { shutdown, readiness } = context;
  // A bug that escapes a role still releases sockets and connections in order, then exits 2.
  const onFatal = (error: unknown): void => {
    logger.fatal({ err: error }, 'uncaught error: shutting down');
    void shutdown.run('uncaught error').finally(() => logger.flush(() => process.exit(ExitCode.error)));
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  // Turn /readyz to 503 before anything stops, so load balancers move traffic away first.
  shutdown.add('readiness: draining', () => readiness.setDraining());

  const ops = await startOpsServer({ listen: config.ops.listen, registry: context.registry, logger, readiness });
  readiness.add('redis', redisReadinessCheck(context.redis('readiness')));

  const roles = role === 'all' ? ROLE_NAMES : [role];
  const rolesStarted = addStartupGate(readiness, roles);
  const running: { name: RoleName; role: RunningRole }[] = [];
  let exitCode: ExitCode = ExitCode.ok;
  let shared: SharedPieces | undefined;
  try {
    // One Entra connection per process, for the worker and results-api alike (the ingress needs none).
    if (roles.some((name) => name !== 'ingress')) shared = createSharedPieces(config);
    for (const name of roles) {
      running.push({ name, role: await roleStarter(name, shared)(context) });
      logger.info({ role: name }, 'role started');
    }
    rolesStarted();
  } catch (error) {
    if (error instanceof EntraError) cli.io.stderr.write(`radius-mfa: directories.entra: ${error.code}: ${error.message}\n`);
    else logger.fatal({ err: error }, 'a role failed to start');
    exitCode = ExitCode.error;
  }

  // Stop the roles in reverse order of start, then the ops server, then Redis: each step bounded.
  for (const { name, role: started } of [...running].reverse()) shutdown.add(`role ${name}`, () => started.stop(), { timeoutMs: 30_000 });
  const sharedPieces = shared;
  if (sharedPieces) shutdown.add('entra connection', () => sharedPieces.close(), { timeoutMs: 5_000 });
  shutdown.add('ops server', () => ops.close(), { timeoutMs: 5_000 });
  shutdown.add('redis connections', () => closeRedisConnections(), { timeoutMs: 5_000 });

  if (exitCode === ExitCode.ok) {
    await new Promise<void>((resolve) => {
      const removeSignalHandlers = shutdown.installSignalHandlers(() => {
        removeSignalHandlers();
        resolve();
      });
    });
  } else {
    await shutdown.run('start failed');
  }
  process.off('uncaughtException', onFatal);
  process.off('unhandledRejection', onFatal);
  return exitCode;
}

export const registerStartCommand: RegisterCommand = (program, cli) => {
  program
    .command('start')
    .description('run a role (or all roles in one process) with a config file')
    .addOption(new Option('-c, --config <file>', 'the YAML config (env RADIUS_MFA_CONFIG)'))
    .addOption(new Option('-r, --role <role>', 'all | ingress | worker | results (env RADIUS_MFA_ROLE; default all)'))
    .addHelpText(
      'after',
      [
        '',
        'Every role serves /healthz, /readyz and /metrics on ops.listen. SIGTERM or SIGINT shut down in order:',
        '/readyz turns 503, the roles stop, then the ops server and Redis connections close.',
        'Exit status: 0 after a clean shutdown, 1 invalid config, 2 usage or runtime error (e.g. a role not available).',
        '',
        'Examples:',
        '  radius-mfa start --config /etc/radius-mfa/config.yaml --role ingress',
        '  RADIUS_MFA_CONFIG=config.yaml RADIUS_MFA_ROLE=all radius-mfa start',
      ].join('\n'),
    )
    .action(async (options: { config?: string; role?: string }) => {
      const configPath = options.config ?? cli.io.env['RADIUS_MFA_CONFIG'];
      if (!configPath) throw new CliUsageError('no config: pass --config FILE or set RADIUS_MFA_CONFIG');
      const role = options.role ?? cli.io.env['RADIUS_MFA_ROLE'] ?? 'all';
      if (!isRoleChoice(role)) throw new CliUsageError(`unknown role "${role}": use one of ${ROLE_CHOICES.join(', ')}`);
      cli.setExitCode(await start(cli, configPath, role));
    });
};
