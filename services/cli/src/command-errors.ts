// Failures every config-reading command reports the same way: a refused config (exit 1, every problem)
// and an unreachable Redis (exit 2, one line with the fix).
import { ExitCode, type Cli } from './cli.js';
import { ConfigRefusedError } from './config-file.js';
import { RedisUnreachableError } from './redis-connect.js';

export async function reportingCommonErrors(cli: Cli, action: () => Promise<ExitCode>): Promise<void> {
  try {
    cli.setExitCode(await action());
  } catch (error) {
    if (error instanceof ConfigRefusedError) {
      cli.io.stderr.write(`radius-mfa: ${error.message}\n`);
      cli.setExitCode(ExitCode.rejected);
      return;
    }
    if (error instanceof RedisUnreachableError) {
      cli.io.stderr.write(`radius-mfa: ${error.message}\n    fix: start Redis, or correct redis.url in the config (run \`radius-mfa doctor\`)\n`);
      cli.setExitCode(ExitCode.error);
      return;
    }
    throw error;
  }
}
