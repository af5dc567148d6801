// `radius-mfa explain --client NAME --user NAME`: the policy decision for a sign-in, and why, without signing in.
import { clientUsesEntra } from '@radius-mfa/directory';
import { createWorkerDependencies } from '@radius-mfa/mfa-worker';
import { createLogger } from '@radius-mfa/runtime';
import { CliUsageError, ExitCode, type RegisterCommand } from '../cli.js';
import { reportingCommonErrors } from '../command-errors.js';
import { readConfig } from '../config-file.js';
import { UnknownClientError, clientRuntime, explainPolicy, type Explanation } from '../explain-policy.js';
import { activePushLimitOf, pushLimitsOf } from '../push-limit-status.js';
import { openUserAdmin } from '../user-admin.js';

const GROUP_LOOKUP_TIMEOUT_MS = 10_000;

function printExplanation(write: (text: string) => void, e: Explanation): void {
  write(`client ${e.client}, user ${e.user}\n`);
  for (const step of e.steps) write(`  ${step.step}: ${step.result}\n`);
  write(`decision: ${e.outcome} (${e.reason})\n`);
  if (e.message !== undefined) write(`the person sees: ${JSON.stringify(e.message)}\n`);
}

export const registerExplainCommand: RegisterCommand = (program, cli) => {
  program
    .command('explain')
    .description('the policy decision for a client and user, and why, without signing in')
    .requiredOption('--client <name>', 'the client (NAS) name from the config')
    .requiredOption('--user <name>', 'the user name as the NAS sends it')
    .option('-c, --config <file>', 'the YAML config (env RADIUS_MFA_CONFIG)')
    .option('--groups <list>', 'comma-separated groups to assume (default: asked from the directory, as a sign-in would)')
    .option('--calling-station-id <id>', 'the Calling-Station-Id to assume (bypass rules)')
    .option('--json', 'print { outcome, reason, message, steps } as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Reads the user\'s enrollments and push-limit windows from Redis and the groups from the directory; writes nothing.',
        'The password and the second factor are not tried.',
        'Exit status: 0 the sign-in can succeed (accept, a second factor, enroll), 1 policy rejects it, 2 usage error.',
        '',
        'Examples:',
        '  radius-mfa explain --client rdgateway --user "CONTOSO\\alice" -c config.yaml',
        '  radius-mfa explain --client vpn --user bob --groups vpn-users --json -c config.yaml',
      ].join('\n'),
    )
    .action(async (options: { client: string; user: string; config?: string; groups?: string; callingStationId?: string; json?: boolean }) => {
      await reportingCommonErrors(cli, async () => {
        const { config } = readConfig(cli, options.config);
        const admin = await openUserAdmin(config);
        try {
          const user = admin.normalize(options.user);
          let client;
          try {
            client = clientRuntime(config, options.client, admin.normalize);
          } catch (error) {
            if (error instanceof UnknownClientError) throw new CliUsageError(error.message);
            throw error;
          }
          let groups: string[];
          let groupsSource: string;
          if (options.groups !== undefined) {
            groups = options.groups.split(',').map((g) => g.trim()).filter((g) => g !== '');
            groupsSource = 'from --groups';
          } else {
            // The worker's own providers: the groups a sign-in would see.
            const deps = createWorkerDependencies({ config, redis: admin.redis, logger: createLogger({ level: 'silent', name: 'explain' }) });
            try {
              if (clientUsesEntra(client.config) && deps.entra) {
                // As the worker's Entra step sees them: membership among the groups the rules name.
                const looked = await deps.entra.lookup(user, true, AbortSignal.timeout(GROUP_LOOKUP_TIMEOUT_MS));
                groups = looked.status === 'found' ? [...looked.groups] : [];
                groupsSource = looked.status === 'found' ? 'from Entra (object ids the rules name)' : `from Entra: ${looked.status === 'reject' ? looked.reason : `unreachable (${looked.error.message})`}`;
              } else {
                groups = await deps.firstFactors.get(client.config.firstFactor).groupsOf(user, AbortSignal.timeout(GROUP_LOOKUP_TIMEOUT_MS));
                groupsSource = `from the ${client.config.firstFactor === 'none' ? 'configured' : client.config.firstFactor} directory`;
              }
            } finally {
              await deps.close();
            }
          }
          const pushLimit = await activePushLimitOf(admin, user);
          const explanation = explainPolicy({
            config,
            client,
            user,
            groups,
            groupsSource,
            ...(options.callingStationId !== undefined && { callingStationId: options.callingStationId }),
            enrolled: await admin.users.getUser(user),
            ...(pushLimit !== undefined && { pushLimit }),
            pushLimits: pushLimitsOf(config),
            now: Date.now(),
          });
          if (options.json) cli.io.stdout.write(`${JSON.stringify(explanation, null, 2)}\n`);
          else printExplanation((text) => cli.io.stdout.write(text), explanation);
          return explanation.outcome === 'reject' ? ExitCode.rejected : ExitCode.ok;
        } finally {
          await admin.close();
        }
      });
    });
};
