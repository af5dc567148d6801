// `radius-mfa hash-password`: an argon2id hash for `directories.local.users[].passwordHash`.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import argon2 from 'argon2';
import { ExitCode, type CliIo, type RegisterCommand } from '../cli.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** On a terminal: prompt on stderr and read one line without echoing it. */
async function readHidden(io: CliIo): Promise<string> {
  io.stderr.write('Password: ');
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: io.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.once('line', resolve));
  } finally {
    rl.close();
    io.stderr.write('\n');
  }
}

/** Strips exactly one trailing newline (`\n` or `\r\n`): what `echo` or a here-string adds. */
export function stripOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

export const registerHashPasswordCommand: RegisterCommand = (program, cli) => {
  program
    .command('hash-password')
    .description('read a password on stdin, print its argon2id hash for directories.local.users[].passwordHash')
    .addHelpText(
      'after',
      [
        '',
        'One trailing newline is stripped; everything else, spaces included, is part of the password.',
        'Parameters: argon2id, version 0x13, memory 65536 KiB (64 MiB), 3 iterations, parallelism 4,',
        '16-byte random salt, 32-byte hash (the argon2 package defaults; OWASP-compliant).',
        '',
        'Examples:',
        "  printf '%s' 'correct horse' | radius-mfa hash-password",
        '  radius-mfa hash-password            # on a terminal: prompts without echo',
      ].join('\n'),
    )
    .action(async () => {
      const password = cli.io.stdin.isTTY ? await readHidden(cli.io) : stripOneNewline(await readAll(cli.io.stdin));
      if (password.length === 0) {
        cli.io.stderr.write('hash-password: the password is empty; nothing was hashed\n');
        cli.setExitCode(ExitCode.rejected);
        return;
      }
      cli.io.stdout.write(`${await argon2.hash(password, { type: argon2.argon2id })}\n`);
      cli.setExitCode(ExitCode.ok);
    });
};
