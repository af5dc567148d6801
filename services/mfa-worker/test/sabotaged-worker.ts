// A worker whose next job dies in its first attempt where the test says, so BullMQ runs it again
// (the harness enqueues attempts: 2): what a retried job must not do twice.
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createMetrics } from '@radius-mfa/runtime';
import { createAuthWorker, createWorkerDependencies, type ChallengeState, type JobDependencies, type StateStore, type WorkerDependencies } from '@radius-mfa/mfa-worker';
import type { WorkerSuite } from './harness.js';

/** Where the first attempt of the next job dies; each flag is cleared once it has struck. */
export interface Sabotage {
  /** After its push, call or text went out: storing the Access-Challenge's State fails. */
  beforeChallenge: boolean;
  /** Right after its push, call or text failed (counted), before the verdict is delivered. */
  afterFailedRequest: boolean;
}

export interface SabotagedWorkerOptions {
  /** Dependencies laid over the ones built from the suite's config (a counting sender, say). */
  readonly replace?: (base: WorkerDependencies) => Partial<JobDependencies>;
  /** Sees each State the worker stores, a failed attempt's included. */
  readonly onState?: (state: ChallengeState) => void;
}

export interface SabotagedWorker {
  readonly sabotage: Sabotage;
  /** mfa_provider_requests_total{provider} by outcome. */
  providerRequests(provider: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Starts on the suite's queue once its Redis runs (call it in beforeAll). */
export function startSabotagedWorker(suite: WorkerSuite, options: SabotagedWorkerOptions = {}): SabotagedWorker {
  const sabotage: Sabotage = { beforeChallenge: false, afterFailedRequest: false };
  const commands = new Redis(suite.redis.url);
  const blocking = new Redis(suite.redis.url, { maxRetriesPerRequest: null });
  const logger = pino({ level: 'silent' });
  const metrics = createMetrics(new Registry());
  const base = createWorkerDependencies({ config: suite.config, redis: commands, logger, metrics });
  const states: StateStore = {
    issue: (state, ttlMs) => {
      options.onState?.(state);
      if (!sabotage.beforeChallenge) return base.states.issue(state, ttlMs);
      sabotage.beforeChallenge = false;
      return Promise.reject(new Error('Redis went away while the State was stored'));
    },
    consume: (...args) => base.states.consume(...args),
  };
  const countProviderRequest = (provider: string, outcome: string): void => {
    base.countProviderRequest?.(provider, outcome);
    if (!sabotage.afterFailedRequest || outcome === 'accept') return;
    sabotage.afterFailedRequest = false;
    throw new Error('the worker died right after the failed request');
  };
  const worker = createAuthWorker(
    { ...base, ...options.replace?.(base), states, countProviderRequest },
    { connection: blocking, prefix: suite.config.redis.keyPrefix, logger, concurrency: 2 },
  );
  return {
    sabotage,
    async providerRequests(provider) {
      const { values } = await metrics.mfaProviderRequests.get();
      return Object.fromEntries(values.filter((v) => v.labels.provider === provider).map((v) => [String(v.labels.outcome), v.value]));
    },
    async close() {
      await worker.close();
      await base.close();
      commands.disconnect();
      blocking.disconnect();
    },
  };
}
