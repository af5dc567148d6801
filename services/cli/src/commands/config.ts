// `radius-mfa config check FILE`: validate a config, list every problem with its path and fix.
// `radius-mfa config schema`: the JSON Schema of the config (for editors and documentation).
import type { Command } from 'commander';
import { ConfigError, ConfigSchema, formatConfigProblem, loadConfig, type ConfigProblem } from '@radius-mfa/config';
import { ExitCode, type RegisterCommand } from '../cli.js';

function list(title: string, problems: readonly ConfigProblem[]): string {
  return problems.length === 0 ? '' : `${title}:\n${problems.map((p) => `  - ${formatConfigProblem(p)}`).join('\n')}\n`;
}

function checkConfig(file: string, env: NodeJS.ProcessEnv): { problems: readonly ConfigProblem[]; warnings: readonly ConfigProblem[] } {
  try {
    return { problems: [], warnings: loadConfig(file, { env }).warnings };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: error.problems, warnings: error.warnings };
  }
}

export const registerConfigCommand: RegisterCommand = (program: Command, cli) => {
  const config = program
    .command('config')
    .description('work with a configuration file')
    .addHelpText('after', '\nExamples:\n  radius-mfa config check config.yaml\n  radius-mfa config schema > config.schema.json');

  config
    .command('check')
    .description('validate a config file; every problem is listed with its path, what is wrong and how to fix it')
    .argument('<file>', 'the YAML config')
    .option('--json', 'print { ok, file, problems, warnings } as JSON')
    .addHelpText(
      'after',
      '\nExit status: 0 valid (warnings may be printed), 1 invalid.\n${NAME} references are expanded from this environment.\n\nExample:\n  VPN_SECRET=... radius-mfa config check /etc/radius-mfa/config.yaml',
    )
    .action((file: string, options: { json?: boolean }) => {
      const { problems, warnings } = checkConfig(file, cli.io.env);
      const ok = problems.length === 0;
      if (options.json) {
        cli.io.stdout.write(`${JSON.stringify({ ok, file, problems, warnings }, null, 2)}\n`);
      } else if (ok) {
        cli.io.stdout.write(`config OK: ${file}\n${list(`${warnings.length} warning${warnings.length === 1 ? '' : 's'}`, warnings)}`);
      } else {
        cli.io.stdout.write(
          `config INVALID: ${file}\n${list(`${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems)}${list('warnings', warnings)}`,
        );
      }
      cli.setExitCode(ok ? ExitCode.ok : ExitCode.rejected);
    });

  config
    .command('schema')
    .description('print the JSON Schema of the config (every key, its default and description)')
    .addHelpText('after', '\nExample:\n  radius-mfa config schema > config.schema.json')
    .action(() => {
      cli.io.stdout.write(`${JSON.stringify(ConfigSchema, null, 2)}\n`);
      cli.setExitCode(ExitCode.ok);
    });
};
