// The BullMQ consumer of the `auth` queue. A job never waits for a person: an out-of-band
// challenge is stored and the job ends, so a worker's slots only ever hold machine work.
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis, Cluster } from 'ioredis';
import { QueueNames } from '@radius-mfa/contracts';
import type { Logger } from '@radius-mfa/runtime';
import { AuthJobError, processAuthJob, rejectFailedJob, type JobDependencies, type JobOutcome } from './job.js';
import { withDeadline } from './job-deadline.js';

export interface AuthWorkerOptions {
  /** A connection BullMQ may block on (`maxRetriesPerRequest: null`). */
  readonly connection: Redis | Cluster;
  /** `redis.keyPrefix`: BullMQ's key prefix, a hash tag so the queue stays on one Cluster slot. */
  readonly prefix: string;
  readonly concurrency?: number;
  /**
   * How long a job is locked to this worker; a dead worker's jobs are retried after it runs out
   * (BullMQ's stalled check). Short, because the NAS gives up within a minute.
   */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  readonly logger: Logger;
  readonly onOutcome?: (outcome: JobOutcome) => void;
}

export const DEFAULT_CONCURRENCY = 64;
const DEFAULT_LOCK_MS = 10_000;

export function createAuthWorker(deps: JobDependencies, options: AuthWorkerOptions): Worker<unknown, JobOutcome['status']> {
  const lockDuration = options.lockDurationMs ?? DEFAULT_LOCK_MS;
  const worker = new Worker<unknown, JobOutcome['status']>(
    QueueNames.auth,
    async (job, _token, outer) => {
      try {
        const outcome = await withDeadline(job.data, outer, (signal) => processAuthJob(deps, job.data, signal));
        options.onOutcome?.(outcome);
        return outcome.status;
      } catch (error) {
        if (error instanceof AuthJobError) {
          options.logger.error({ err: error, jobId: job.id, reason: error.reason }, 'auth job cannot be processed');
          throw new UnrecoverableError(`${error.reason}: ${error.message}`);
        }
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        options.logger.error({ err: error, jobId: job.id, attempt: job.attemptsMade + 1, lastAttempt }, 'auth job failed');
        if (lastAttempt) await rejectFailedJob(deps, job.data, error).catch(() => undefined);
        throw error;
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      lockDuration,
      stalledInterval: options.stalledIntervalMs ?? lockDuration / 2,
      // A job killed mid-flight is retried once by the stalled check; idempotency makes that safe.
      maxStalledCount: 1,
      removeOnComplete: { count: 0 },
      removeOnFail: { age: 3600, count: 1000 },
    },
  );
  worker.on('error', (error) => options.logger.error({ err: error }, 'auth worker error'));
  return worker;
}
