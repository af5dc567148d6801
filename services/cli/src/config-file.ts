// The config a command works on: `--config F` or RADIUS_MFA_CONFIG; a refused config is exit 1 with every problem.
import { ConfigError, loadConfig, type Config } from '@radius-mfa/config';
import { CliUsageError, type Cli } from './cli.js';

/** A config that cannot be used: the command prints `message` (every problem) and exits 1. */
export class ConfigRefusedError extends Error {
  readonly code = 'CONFIG_REFUSED';
  constructor(readonly configError: ConfigError) {
    super(configError.message, { cause: configError });
    this.name = 'ConfigRefusedError';
  }
}

export function configPathOf(cli: Cli, option: string | undefined): string {
  const path = option ?? cli.io.env['RADIUS_MFA_CONFIG'];
  if (!path) throw new CliUsageError('no config: pass --config FILE or set RADIUS_MFA_CONFIG');
  return path;
}

export function readConfig(cli: Cli, option: string | undefined): { path: string; config: Config } {
  const path = configPathOf(cli, option);
  try {
    return { path, config: loadConfig(path, { env: cli.io.env }).config };
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigRefusedError(error);
    throw error;
  }
}
