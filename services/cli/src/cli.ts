// What every command gets: its streams and environment (tests pass their own), and a way to set the exit code.
import type { Command } from 'commander';

/** 0 ok; 1 rejected or invalid (a bad config, a refused input); 2 usage or runtime error. */
export const ExitCode = { ok: 0, rejected: 1, error: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface Cli {
  readonly io: CliIo;
  setExitCode(code: ExitCode): void;
}

/** A command file exports one of these; it adds its command (and subcommands) to the program. */
export type RegisterCommand = (program: Command, cli: Cli) => void;

/** A usage or runtime problem the command reports in one line (exit 2), without a stack trace. */
export class CliUsageError extends Error {
  readonly code = 'CLI_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
