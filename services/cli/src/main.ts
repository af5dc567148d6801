import { Command, CommanderError } from 'commander';
import { CliUsageError, ExitCode, type CliIo } from './cli.js';
import { COMMANDS } from './commands/index.js';

function buildProgram(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const program = new Command('radius-mfa')
    .description('RADIUS server with multi-factor authentication for RD Gateways, VPNs and Wi-Fi')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', '\nExit status: 0 ok, 1 rejected or invalid, 2 usage or runtime error.\n\nExample:\n  radius-mfa config check config.yaml');
  for (const register of COMMANDS) register(program, { io, setExitCode });
  return program;
}

/** Entry point of the `radius-mfa` command; returns the process exit code. */
export async function main(argv: readonly string[], io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let exitCode: ExitCode = ExitCode.ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? ExitCode.ok : ExitCode.error;
    }
    if (error instanceof CliUsageError) {
      io.stderr.write(`radius-mfa: ${error.message}\n`);
      return ExitCode.error;
    }
    io.stderr.write(`radius-mfa: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCode.error;
  }
}
