// The worker role as the composition root starts it: dependencies, BullMQ consumer, readiness,
// orderly stop (stop taking jobs, finish the active ones, then release connections).
import { Queue } from 'bullmq';
import { QueueNames } from '@radius-mfa/contracts';
import type { AcsVoiceApprover, EntraConnection } from '@radius-mfa/directory';
import { redisReadinessCheck, type RoleContext, type RoleStarter, type RunningRole } from '@radius-mfa/runtime';
import { startQueueGauge } from './queue-gauge.js';
import { createWorkerDependencies } from './dependencies.js';
import { createAuthWorker } from './worker.js';

export interface WorkerStarterOptions {
  /** The process's one Entra connection, shared with results-api; closed by its owner, not the worker. */
  readonly entraConnection?: EntraConnection;
  /** The ACS voice approver shared with results-api (same callback key). */
  readonly voiceApprover?: Pick<AcsVoiceApprover, 'startCall'>;
}

export function createWorkerStarter(options: WorkerStarterOptions = {}): (ctx: RoleContext) => Promise<RunningRole> {
  return (ctx) => runWorker(ctx, options);
}

async function runWorker(ctx: RoleContext, options: WorkerStarterOptions): Promise<RunningRole> {
  const logger = ctx.logger.child({ component: 'worker' });
  const commands = ctx.redis('worker-commands');
  const deps = createWorkerDependencies({
    config: ctx.config,
    redis: commands,
    logger,
    metrics: ctx.metrics,
    ...(options.entraConnection && { entraConnection: options.entraConnection }),
    ...(options.voiceApprover && { voiceApprover: options.voiceApprover }),
  });
  const worker = createAuthWorker(deps, {
    connection: ctx.redis('worker', { bullmq: true }),
    prefix: ctx.config.redis.keyPrefix,
    logger,
  });
  await worker.waitUntilReady();
  const queue = new Queue(QueueNames.auth, { connection: ctx.redis('worker-queue-gauge', { bullmq: true }), prefix: ctx.config.redis.keyPrefix });
  const stopGauge = startQueueGauge(queue, ctx.metrics.bullmqJobCount, logger);
  ctx.readiness.add('worker-redis', redisReadinessCheck(commands));
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      // close() waits for the active jobs; none of them waits for a person, so this is quick.
      stopGauge();
      await worker.close();
      await queue.close();
      await deps.close();
    })());
  return { stop };
}

/** The worker role with pieces of its own (no shared Entra connection). */
export const startWorker: RoleStarter = createWorkerStarter();
