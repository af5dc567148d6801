// Wiring only: stores, the fastify app, its socket, readiness and shutdown of the results role.
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { RoleContext, RunningRole } from '@radius-mfa/runtime';
import { buildApp, type BuildAppOptions } from './app.js';
import { createResultsDependencies } from './dependencies.js';
import { listen } from './server.js';
import type { VoiceCallbackHandler } from './voice-callbacks.js';
import { voiceApprovalConfigured } from './voice-setup.js';

export interface ResultsOptions extends BuildAppOptions {
  /** How often mfa_pending_challenges is refreshed from Redis; default 15 s. */
  readonly pendingGaugeIntervalMs?: number;
  /**
   * The ACS voice approver (`AcsVoiceApprover` from @radius-mfa/directory, built by whoever places
   * the calls with the same callback key). The callback route exists only with it and `mfa.voice` on acs.
   */
  readonly voice?: VoiceCallbackHandler;
}

export interface RunningResults extends RunningRole {
  readonly address: AddressInfo;
  readonly url: string;
}

export function createResultsStarter(options: ResultsOptions = {}): (ctx: RoleContext) => Promise<RunningResults> {
  return async (ctx) => {
    const { config, metrics } = ctx;
    const logger = ctx.logger.child({ component: 'results-api' });
    // The mfa stores take a single-node client; ioredis' Cluster offers the same command surface.
    const redis = ctx.redis('results') as Redis;
    const voice = voiceApprovalConfigured(config) ? options.voice : undefined;
    if (voiceApprovalConfigured(config) && !voice) logger.warn('mfa.voice uses acs but no voice approver was given: Call Automation callbacks are refused (404)');
    const deps = createResultsDependencies({ config, redis, metrics, logger: ctx.logger, ...(voice && { voice }) });
    const { challenges } = deps;
    const app = await buildApp(deps, options);
    const server = await listen(app, config.api.listen);
    let listening = true;
    ctx.readiness.add('results-http', () => listening);

    const refreshPending = (): void => {
      challenges
        .countPendingChallenges()
        .then((count) => metrics.mfaPendingChallenges.set(count))
        .catch((error: unknown) => logger.debug({ err: error }, 'pending challenge count failed'));
    };
    refreshPending();
    const gaugeTimer = setInterval(refreshPending, options.pendingGaugeIntervalMs ?? 15_000);
    gaugeTimer.unref();
    logger.info({ url: server.url, admin: config.api.adminToken !== undefined, voice: voice !== undefined }, 'results-api listening');

    let stopped: Promise<void> | undefined;
    return {
      address: server.address,
      url: server.url,
      stop() {
        stopped ??= (async () => {
          ctx.readiness.setDraining();
          clearInterval(gaugeTimer);
          // fastify's close stops accepting and lets in-flight requests finish.
          await server.close();
          listening = false;
        })();
        return stopped;
      },
    };
  };
}
