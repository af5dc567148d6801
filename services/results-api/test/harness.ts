// A results-api over a real Redis of the suite's own, with the stores a worker would use beside it.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { parseConfig, type Config } from '@radius-mfa/config';
import { redisKeys, type RedisKeys } from '@radius-mfa/contracts';
import { createChallengeStore, type ChallengeStore, type NewChallenge } from '@radius-mfa/mfa';
import { createLogger, createMetrics, type Metrics } from '@radius-mfa/runtime';
import { admitTransaction, prepareVerdicts } from '@radius-mfa/transactions';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { buildApp, createResultsDependencies, type BuildAppOptions, type HttpRateLimits, type ResultsApp, type ResultsDependencies, type VoiceCallbackHandler } from '@radius-mfa/results-api';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef-XYZ';

/** `mfa.voice` on ACS, with the Entra directory it needs (the stand-in's endpoints when given). */
export function voiceConfigYaml(entra: { tenantId: string; authorityHost: string; graphEndpoint: string; acsEndpoint: string } = {
  tenantId: 'tenant',
  authorityHost: 'https://login.example.test',
  graphEndpoint: 'https://graph.example.test',
  acsEndpoint: 'https://acs.example.test',
}): { mfa: string; top: string } {
  return {
    mfa: '  voice: { sender: { type: acs, from: "+18005550100", callbackSecret: "a-test-callback-key-of-32-characters", cognitiveServicesEndpoint: "https://speech.example.test" } }\n',
    top: `directories:\n  entra: { tenantId: "${entra.tenantId}", clientId: "app", clientSecret: "unused-here", authorityHost: "${entra.authorityHost}", graphEndpoint: "${entra.graphEndpoint}", acsEndpoint: "${entra.acsEndpoint}" }\n`,
  };
}

export function testConfig(options: { publicUrl?: string; extra?: string; mfaExtra?: string; prefix: string; redisUrl: string }): Config {
  const key = randomBytes(32).toString('base64');
  const text = `redis: { url: "${options.redisUrl}", keyPrefix: "${options.prefix}" }
security: { sealingKeys: [{ id: k1, key: "${key}" }] }
api: { listen: "http://127.0.0.1:0", publicUrl: "${options.publicUrl ?? 'https://mfa.example.test'}", adminToken: "${ADMIN_TOKEN}" }
clients:
  - { name: vpn, address: 10.0.0.0/8, secret: "a-long-random-shared-secret", methods: [totp, push] }
mfa:
  totp: { issuer: "Contoso VPN" }
  push: { notifier: { type: webhook, url: "http://127.0.0.1:9/push" } }
${options.mfaExtra ?? ''}${options.extra ?? ''}`;
  return parseConfig(text, { env: {} }).config;
}

/** Log lines the app wrote, to check that no secret reached them. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface ResultsSuite {
  server: RedisHandle;
  redis: Redis;
  keys: RedisKeys;
  config: Config;
  metrics: Metrics;
  registry: Registry;
  logs: LogCapture;
  deps: ResultsDependencies;
  /** The worker's side: creates challenges as mfa-worker does. */
  worker: ChallengeStore;
  /** A fresh app over the same Redis (a second pod); closed after the suite. */
  newApp(options?: BuildAppOptions & { voice?: VoiceCallbackHandler; publicUrl?: string }): Promise<ResultsApp>;
}

export function useResultsSuite(suiteOptions: { publicUrl?: string; extra?: string; mfaExtra?: string } = {}): ResultsSuite {
  const suite = {} as ResultsSuite;
  const apps: ResultsApp[] = [];
  const connections: Redis[] = [];
  beforeAll(async () => {
    suite.server = await startRedis();
    const prefix = suite.server.prefix();
    suite.config = testConfig({ prefix, redisUrl: suite.server.url, ...suiteOptions });
    suite.redis = new Redis(suite.server.url);
    connections.push(suite.redis);
    suite.keys = redisKeys(prefix);
    suite.registry = new Registry();
    suite.metrics = createMetrics(suite.registry);
    suite.logs = new LogCapture();
    suite.deps = dependencies(suite, suite.redis);
    suite.worker = createChallengeStore({ redis: suite.redis, keys: suite.keys });
    suite.newApp = async (options = {}) => {
      // Each app its own connection, as separate pods would have.
      const redis = new Redis(suite.server.url);
      connections.push(redis);
      const config = options.publicUrl ? { ...suite.config, api: { ...suite.config.api, publicUrl: options.publicUrl } } : suite.config;
      const deps = { ...dependencies(suite, redis), config, ...(options.voice && { voice: options.voice }) };
      const app = await buildApp(deps, options);
      apps.push(app);
      return app;
    };
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    for (const redis of connections) redis.disconnect();
    await suite.server?.stop();
  });
  return suite;
}

function dependencies(suite: ResultsSuite, redis: Redis): ResultsDependencies {
  const logger = createLogger({ level: 'info', name: 'results', destination: suite.logs });
  return createResultsDependencies({ config: suite.config, redis, metrics: suite.metrics, logger });
}

let txnCounter = 0;

/** Response bytes the worker would have signed: code, identifier, and a marker to recognise them by. */
export function fakeResponse(code: number, marker: string): Buffer {
  const bytes = Buffer.alloc(20 + marker.length);
  bytes[0] = code;
  bytes[1] = 42;
  bytes.writeUInt16BE(bytes.length, 2);
  bytes.write(marker, 20, 'ascii');
  return bytes;
}

export interface TestChallenge {
  readonly challengeId: string;
  readonly approveToken: string;
  readonly denyToken: string;
  readonly txn: string;
  readonly accept: Buffer;
  readonly reject: Buffer;
}

/**
 * What mfa-worker leaves behind for a push: the challenge and, for a held request (prompt auto),
 * a transaction an ingress waits on with its prepared Accept and Reject.
 */
export async function createPush(suite: ResultsSuite, overrides: Partial<NewChallenge> & { ingressId?: string } = {}): Promise<TestChallenge> {
  txnCounter += 1;
  const txn = overrides.txn ?? `${randomBytes(8).toString('hex')}${txnCounter}`;
  const prompt = overrides.prompt ?? 'auto';
  const accept = fakeResponse(2, `accept-${txn}`);
  const reject = fakeResponse(3, `reject-${txn}`);
  if (prompt !== 'challenge') {
    await admitTransaction(suite.redis, suite.keys, { txn, ingressId: overrides.ingressId ?? 'ingress-test', ttlMs: 60_000 });
    await prepareVerdicts(suite.redis, suite.keys, txn, { accept, reject }, 60_000);
  }
  const { ingressId: _ingressId, ...challenge } = overrides;
  const created = await suite.worker.createChallenge({
    user: 'alice',
    client: 'vpn',
    method: 'push',
    callingStationId: '203.0.113.7',
    expiresAt: Date.now() + 60_000,
    request: { identifier: 42, authenticator: '00112233445566778899aabbccddeeff', proxyStates: [] },
    ...challenge,
    txn,
    prompt,
  });
  if (!created.created) throw new Error('expected a new challenge');
  return { challengeId: created.challengeId, approveToken: created.approveToken, denyToken: created.denyToken, txn, accept, reject };
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number>; metricName?: string }[];
  return values
    .filter((v) => (v.metricName === undefined || v.metricName === name || v.metricName === `${name}_count`) && Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Limits no functional test reaches (the limits themselves are tested in rate-limits.test.ts). */
export const RELAXED_LIMITS: HttpRateLimits = {
  perToken: { max: 10_000, timeWindowMs: 60_000 },
  unknownTokensPerAddress: { max: 10_000, timeWindowMs: 60_000 },
  adminPerAddress: { max: 10_000, timeWindowMs: 60_000 },
};
