// What a role (ingress, worker, results) receives from the composition root (services/cli),
// and what it hands back. One process may run several roles: they share this context.
import type { Registry } from 'prom-client';
import type { Config } from '@radius-mfa/config';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Shutdown } from './shutdown.js';
import type { ReadinessRegistry } from './readiness.js';
import type { RedisClient, RedisPurposeOptions } from './redis.js';

export interface RoleContext {
  /** The validated config, defaults applied. */
  readonly config: Config;
  /** The process logger; make a child per component: `logger.child({ component: 'x' })`. */
  readonly logger: Logger;
  /** Every metric of CONTRACT.md, declared once (see metrics.ts). */
  readonly metrics: Metrics;
  /** The one prom-client registry of this process (served on ops `/metrics`). */
  readonly registry: Registry;
  /**
   * The process's ordered shutdown. Release the role's own resources in `stop()`: the composition
   * root runs, in order, readiness draining, steps added here, each role's stop() (reverse start
   * order), the ops server, and last the connections made by `redis()`.
   */
  readonly shutdown: Shutdown;
  /** `/readyz` checks: add one per socket or dependency the role needs. */
  readonly readiness: ReadinessRegistry;
  /** Unique per process: names this ingress on Redis channels, and in logs. */
  readonly instanceId: string;
  /**
   * A new Redis connection named after `purpose` (CLIENT SETNAME), closed by the shutdown.
   * Pass `{ bullmq: true }` for BullMQ Worker/QueueEvents connections, `{ bullmq: 'fail-fast' }`
   * for a Queue that adds jobs on the request path.
   */
  redis(purpose: string, options?: RedisPurposeOptions): RedisClient;
}

/** A started role. `stop()` stops taking work, finishes or hands back what is active, and releases its own resources. */
export interface RunningRole {
  stop(): Promise<void>;
}

export type RoleStarter = (ctx: RoleContext) => Promise<RunningRole>;

export type RoleName = 'ingress' | 'worker' | 'results';
export const ROLE_NAMES: readonly RoleName[] = ['ingress', 'worker', 'results'];
