// A server program (slapd, freeradius) run in the foreground as the test's child, so it cannot outlive
// the suite as a daemon would.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

/** A server program the tests run in the foreground, with its temp dir removed on stop. */
export interface DaemonProcess {
  /** The last 20 kB of its stdout and stderr, for failure messages. */
  output(): string;
  exited(): boolean;
  /** Resolves on the first chunk of output containing `text`; rejects if it exits first or after `timeoutMs`. */
  waitForOutput(text: string, timeoutMs: number): Promise<void>;
  /** SIGTERM, SIGKILL after 5 s, then the temp dir goes. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Whether a daemon failed because its port was taken between `freeTcpPort()`/`freeUdpPort()` and its
 * own bind (another process's socket got the port meanwhile): a fresh port is worth one more try.
 */
export function lostPortRace(output: string): boolean {
  return /Address already in use|errno=98\b/i.test(output);
}

/** Tries `start` up to `attempts` times while it fails with a lost port race (see `lostPortRace`). */
export async function withPortRetry<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= attempts || !(error instanceof Error) || !lostPortRace(error.message)) throw error;
    }
  }
}

export function startDaemonProcess(command: string, args: readonly string[], dir: string): DaemonProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set<() => void>();
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
    for (const waiter of waiters) waiter();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      for (const waiter of waiters) waiter();
      resolve();
    }),
  );
  let stopped: Promise<void> | undefined;
  return {
    output: () => output,
    exited: () => exited,
    waitForOutput(text, timeoutMs) {
      return new Promise((resolve, reject) => {
        const done = (error?: Error): void => {
          waiters.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const check = (): void => {
          if (output.includes(text)) done();
          else if (exited) done(new Error(`${command} exited before printing "${text}":\n${output}`));
        };
        const timer = setTimeout(() => done(new Error(`${command} did not print "${text}" within ${timeoutMs} ms:\n${output}`)), timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop() {
      stopped ??= (async () => {
        if (!exited) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exit;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
