// The results role as the CLI starts it (createRoleContext + startResults), on a real socket and
// a real Redis, with a fake ingress subscribed to its delivery channel.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisKeys, type DeliveryMessage, type RedisKeys } from '@radius-mfa/contracts';
import type { Config } from '@radius-mfa/config';
import { createChallengeStore, createUserStore, createSealerFromBase64, type UserStore } from '@radius-mfa/mfa';
import { createLogger, createRoleContext, type RoleContextHandle } from '@radius-mfa/runtime';
import { subscribeDeliveries, type DeliverySubscription } from '@radius-mfa/transactions';
import { freeTcpPort, startRedis, type RedisHandle } from '@radius-mfa/testing';
import { createResultsStarter, type RunningResults, type VoiceCallbackHandler } from '@radius-mfa/results-api';
import { LogCapture, RELAXED_LIMITS, testConfig, type ResultsSuite } from './harness.js';

export const INGRESS_ID = 'ingress-under-test';

export interface RunningSuite {
  server: RedisHandle;
  redis: Redis;
  keys: RedisKeys;
  config: Config;
  users: UserStore;
  results: RunningResults;
  handle: RoleContextHandle;
  logs: LogCapture;
  baseUrl: string;
  deliveries: DeliveryMessage[];
  /** Resolves with the first delivery for `txn` the fake ingress receives. */
  deliveryFor(txn: string, timeoutMs?: number): Promise<Buffer>;
  /** The harness shape createPush needs. */
  asResultsSuite(): ResultsSuite;
  stop(): Promise<void>;
}

export interface RunningSuiteOptions {
  /** YAML appended at the top level, and inside `mfa:`. */
  readonly extra?: string;
  readonly mfaExtra?: string;
  /** Builds the voice approver once the public URL is known. */
  readonly voice?: (publicUrl: string) => VoiceCallbackHandler;
}

export async function startRunningSuite(options: RunningSuiteOptions = {}): Promise<RunningSuite> {
  const server = await startRedis();
  const prefix = server.prefix();
  const port = await freeTcpPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const base = testConfig({ prefix, redisUrl: server.url, publicUrl: baseUrl, ...(options.extra && { extra: options.extra }), ...(options.mfaExtra && { mfaExtra: options.mfaExtra }) });
  const config: Config = { ...base, api: { ...base.api, listen: baseUrl } };
  const logs = new LogCapture();
  const logger = createLogger({ level: 'info', name: 'results', destination: logs });
  const handle = createRoleContext({ config, logger, instanceId: `test-${randomBytes(3).toString('hex')}` });
  const results = await createResultsStarter({ rateLimits: RELAXED_LIMITS, ...(options.voice && { voice: options.voice(baseUrl) }) })(handle.context);
  const redis = new Redis(server.url);
  const subscriber = new Redis(server.url);
  const keys = redisKeys(prefix);
  const deliveries: DeliveryMessage[] = [];
  const waiters = new Map<string, (response: Buffer) => void>();
  const subscription: DeliverySubscription = await subscribeDeliveries(subscriber, keys, INGRESS_ID, (message) => {
    deliveries.push(message);
    waiters.get(message.txn)?.(message.response);
  });
  const sealer = createSealerFromBase64(config.security.sealingKeys);
  const suite: RunningSuite = {
    server,
    redis,
    keys,
    config,
    users: createUserStore({ redis, keys, sealer, totp: config.mfa.totp }),
    results,
    handle,
    logs,
    baseUrl,
    deliveries,
    deliveryFor(txn, timeoutMs = 15_000) {
      const seen = deliveries.find((m) => m.txn === txn);
      if (seen) return Promise.resolve(seen.response);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no delivery for ${txn}`)), timeoutMs);
        waiters.set(txn, (response) => {
          clearTimeout(timer);
          resolve(response);
        });
      });
    },
    asResultsSuite() {
      return { redis, keys, worker: createChallengeStore({ redis, keys }) } as unknown as ResultsSuite;
    },
    async stop() {
      await subscription.close();
      subscriber.disconnect();
      redis.disconnect();
      await results.stop();
      await handle.closeRedisConnections();
      await server.stop();
    },
  };
  return suite;
}
