// A server program (slapd, freeradius) run in the foreground as the test's child, so it cannot outlive
// the suite as a daemon would.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { basename } from 'node:path';

/** A server program the tests run in the foreground, with its temp dir removed on stop. */
export interface DaemonProcess {
  /** Undefined only when it could not be started. */
  readonly pid: number | undefined;
  /** The last 20 kB of its stdout and stderr (and why it could not start), for failure messages. */
  output(): string;
  /** True once it has exited, or when it could not be started. */
  exited(): boolean;
  /** Resolves once the program runs; rejects with `DaemonStartError` when it cannot be started. */
  started(): Promise<void>;
  /**
   * Resolves on the first chunk of output containing `text`; rejects with `DaemonStartError` when it
   * cannot be started, else if it exits first or after `timeoutMs`.
   */
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

/** The Debian package of each program the fixtures run, by binary name (.ci/apt-packages installs them). */
const DEBIAN_PACKAGES: Readonly<Partial<Record<string, string>>> = {
  slapd: 'slapd',
  freeradius: 'freeradius',
  radiusd: 'freeradius',
  'redis-server': 'redis-server',
  'redis-sentinel': 'redis-sentinel',
  radsecproxy: 'radsecproxy',
};

/** The program could not be started at all (spawn failed: not installed, not executable). */
export class DaemonStartError extends Error {
  readonly code = 'DAEMON_NOT_STARTED';
  /** The package that provides `command`, when it is one of the fixtures' daemons. */
  readonly debianPackage: string | undefined;
  constructor(
    readonly command: string,
    cause: NodeJS.ErrnoException,
  ) {
    const debianPackage = DEBIAN_PACKAGES[basename(command)];
    const reason = cause.code === 'ENOENT' ? 'not installed, or not on PATH' : cause.code === 'EACCES' ? 'not executable' : cause.message;
    const install = debianPackage === undefined ? 'install the Debian package that provides it' : `apt-get install -y ${debianPackage}`;
    super(`cannot start ${command} (${cause.code ?? 'spawn failed'}: ${reason}): ${install}; .ci/apt-packages lists every package the tests need`, { cause });
    this.name = 'DaemonStartError';
    this.debianPackage = debianPackage;
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
  let spawned = false;
  let failure: DaemonStartError | undefined;
  let startFailed: (error: DaemonStartError) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => {
      spawned = true;
      resolve();
    });
    startFailed = reject;
  });
  // A caller that only waits for output (or polls exited()) gets the failure there.
  started.catch(() => undefined);
  const exit = new Promise<void>((resolve) => {
    const ended = (): void => {
      exited = true;
      for (const waiter of waiters) waiter();
      resolve();
    };
    child.once('exit', ended);
    // A failed spawn emits 'error' and never 'exit'. Later errors (a signal that could not be sent)
    // must not crash the suite either: they go into the output that failure messages show.
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (spawned || failure !== undefined) {
        output = (output + `\n${command}: ${error.message}\n`).slice(-20_000);
        return;
      }
      failure = new DaemonStartError(command, error);
      output = (output + failure.message).slice(-20_000);
      startFailed(failure);
      ended();
    });
  });
  let stopped: Promise<void> | undefined;
  return {
    pid: child.pid,
    output: () => output,
    exited: () => exited,
    started: () => started,
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
          else if (failure !== undefined) done(failure);
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
