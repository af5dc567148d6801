// One line from a person at the terminal, the question on stderr so stdout stays for results.
import { createInterface } from 'node:readline';
import type { CliIo } from './cli.js';

export async function promptLine(io: CliIo, question: string): Promise<string | undefined> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  try {
    io.stderr.write(question);
    return await new Promise<string | undefined>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(undefined));
    });
  } finally {
    rl.close();
  }
}
