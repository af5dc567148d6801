import type { Logger } from './logger.js';

export interface ShutdownStepOptions {
  /** Upper bound of this step; past it the step is abandoned and the next runs. Default 10 s. */
  timeoutMs?: number;
}

export type ShutdownStep = () => Promise<void> | void;

export interface Shutdown {
  /** Adds a step; steps run in the order they were added. */
  add(name: string, step: ShutdownStep, options?: ShutdownStepOptions): void;
  /** Runs every step once, in order, each isolated and bounded. Later calls return the same promise. */
  run(reason: string): Promise<void>;
  /** SIGINT/SIGTERM run the shutdown; a second signal exits at once. Returns a function that removes the handlers. */
  installSignalHandlers(onDone?: (reason: string) => void): () => void;
  readonly started: boolean;
}

export class ShutdownStepTimeoutError extends Error {
  readonly code = 'SHUTDOWN_STEP_TIMEOUT';
  constructor(readonly step: string, readonly timeoutMs: number) {
    super(`shutdown step ${step} did not finish within ${timeoutMs} ms`);
    this.name = 'ShutdownStepTimeoutError';
  }
}

const DEFAULT_STEP_TIMEOUT_MS = 10_000;

export function createShutdown(logger: Logger): Shutdown {
  const steps: { name: string; step: ShutdownStep; timeoutMs: number }[] = [];
  let running: Promise<void> | undefined;

  async function runStep(name: string, step: ShutdownStep, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(step),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ShutdownStepTimeoutError(name, timeoutMs)), timeoutMs);
        }),
      ]);
      logger.info({ step: name }, 'shutdown step done');
    } catch (error) {
      // One failing or hanging step must not keep the others from releasing their resources.
      logger.error({ step: name, err: error }, 'shutdown step failed');
    } finally {
      clearTimeout(timer);
    }
  }

  const shutdown: Shutdown = {
    add(name, step, options = {}) {
      if (running) {
        logger.warn({ step: name }, 'shutdown step added after shutdown began; running it now');
        void runStep(name, step, options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS);
        return;
      }
      steps.push({ name, step, timeoutMs: options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS });
    },
    run(reason) {
      running ??= (async () => {
        logger.info({ reason, steps: steps.map((s) => s.name) }, 'shutting down');
        for (const { name, step, timeoutMs } of steps) await runStep(name, step, timeoutMs);
        logger.info({ reason }, 'shutdown complete');
      })();
      return running;
    },
    installSignalHandlers(onDone) {
      const handler = (signal: NodeJS.Signals): void => {
        if (running) {
          logger.warn({ signal }, 'second signal during shutdown: exiting now');
          process.exit(2);
        }
        void shutdown.run(signal).then(() => onDone?.(signal));
      };
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
    get started() {
      return running !== undefined;
    },
  };
  return shutdown;
}
