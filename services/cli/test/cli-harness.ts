// Runs `main` in-process with captured streams: what a command printed and the exit code it chose.
import { PassThrough } from 'node:stream';
import { main } from '../src/main.js';

export interface CapturedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `tty: true` makes stdin look like a terminal (what a person typing would be), with `input` as the typed lines. */
export async function runCli(argv: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; tty?: boolean } = {}): Promise<CapturedRun> {
  const stdin: PassThrough & { isTTY?: boolean } = new PassThrough();
  if (options.tty) stdin.isTTY = true;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  stdin.end(options.input ?? '');
  const code = await main(argv, { stdin, stdout, stderr, env: options.env ?? {} });
  return { code, stdout: out, stderr: err };
}
