// bullmq_job_count{queue,state}: what KEDA/HPA scale the workers on (waiting|prioritized|active).
// Every worker pod reports the same shared counts; dashboards take max by (queue, state).
import type { Queue } from 'bullmq';
import type { Metrics } from '@radius-mfa/runtime';
import type { Logger } from '@radius-mfa/runtime';

const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/** Samples the queue's job counts every `intervalMs` until the returned stop is called. */
export function startQueueGauge(queue: Queue, gauge: Metrics['bullmqJobCount'], logger: Logger, intervalMs = 5_000): () => void {
  let failedOnce = false;
  const sample = async (): Promise<void> => {
    try {
      const counts = await queue.getJobCounts(...STATES);
      for (const state of STATES) gauge.set({ queue: queue.name, state }, counts[state] ?? 0);
      failedOnce = false;
    } catch (error) {
      // Redis being down is reported by /readyz; log the first failure of a run, not every tick.
      if (!failedOnce) logger.warn({ err: error }, 'cannot read queue counts');
      failedOnce = true;
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
