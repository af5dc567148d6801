// Plays the ingress for worker tests: builds real Access-Requests, admits the transaction, seals
// and enqueues the job, and waits for the verdict on the ingress channel, as radius-ingress does.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { beforeAll, afterAll } from 'vitest';
import argon2 from 'argon2';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { QueueNames, redisKeys, type AuthJobV1, type DeliveryMessage, type RedisKeys } from '@radius-mfa/contracts';
import { parseConfig, type Config } from '@radius-mfa/config';
import { base32Decode, createSealer, createUserStore, generateTotp, type Sealer, type UserStore } from '@radius-mfa/mfa';
import {
  Attr,
  integerAttribute,
  textAttribute,
  verifyResponse,
  type RadiusAttribute,
  type RadiusPacket,
} from '@radius-mfa/radius-protocol';
import { admitTransaction, subscribeDeliveries, transactionId, type DeliverySubscription } from '@radius-mfa/transactions';
import { buildTestRequest, startRedis, type RedisHandle } from '@radius-mfa/testing';
import type { EntraOptions } from '@radius-mfa/directory';
import { createAuthWorker, createWorkerDependencies, type WorkerDependencies } from '@radius-mfa/mfa-worker';
import type { Worker } from 'bullmq';

export const SEALING_KEY = randomBytes(32).toString('base64');
export const CLIENT_SECRET = 'client-secret-for-tests';

/** A config with test defaults; `overrides` replaces top-level sections. */
export function testConfig(redis: RedisHandle, prefix: string, overrides: Record<string, unknown>): Config {
  const document = {
    redis: { url: redis.url, keyPrefix: prefix },
    security: { sealingKeys: [{ id: 'k1', key: SEALING_KEY }] },
    api: { listen: 'http://127.0.0.1:8080', publicUrl: 'https://mfa.example.test' },
    log: { level: 'silent' },
    ...overrides,
  };
  return parseConfig(JSON.stringify(document), { env: {} }).config;
}

/** Captures the webhook pushes and texts the worker sends, as a phone (or gateway) would receive them. */
export interface FakePhone {
  readonly url: string;
  readonly pushes: Record<string, string>[];
  /** Resolves with the next push (or one already received beyond `seen`). */
  nextPush(seen?: number): Promise<Record<string, string>>;
  close(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `hangFirst`: the first request is received but never answered, so its sender stays mid-send. */
export async function startFakePhone(options: { hangFirst?: boolean } = {}): Promise<FakePhone> {
  const pushes: Record<string, string>[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    void body(request).then((text) => {
      pushes.push(JSON.parse(text) as Record<string, string>);
      if (!(options.hangFirst && pushes.length === 1)) response.writeHead(200).end('{}');
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/push`,
    pushes,
    async nextPush(seen = pushes.length) {
      while (pushes.length <= seen) await new Promise<void>((resolve) => waiters.push(resolve));
      return pushes[seen]!;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The token at the end of an approve/deny link. */
export function tokenOf(url: string): string {
  return decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
}

export interface AuthAttempt {
  user: string;
  password?: string;
  state?: Buffer;
  callingStationId?: string;
  serviceType?: number;
  /** Defaults to the harness's first client. */
  clientName?: string;
  source?: { address: string; port: number };
  extra?: RadiusAttribute[];
  /** Enqueue the same job this many times (duplicate jobs of one transaction). */
  copies?: number;
  /** The job's deadline already passed when a worker takes it (the ingress answered Reject). */
  pastDeadline?: boolean;
  /** `radsec`: signed with the RadSec secret "radsec" (RFC 6614 §2.3) instead of the client's. */
  transport?: 'udp' | 'radsec';
  /** Runs after admission, before the job is enqueued (to play an earlier attempt's side effects). */
  beforeEnqueue?: (txn: string, job: AuthJobV1) => Promise<void>;
}

export interface AuthResult {
  readonly packet: RadiusPacket;
  readonly code: number;
  readonly txn: string;
  readonly replyMessage: string;
  readonly state?: Buffer;
  attribute(type: number): Buffer[];
}

export interface Ingress {
  readonly keys: RedisKeys;
  readonly sealer: Sealer;
  readonly redis: Redis;
  readonly queue: Queue;
  readonly ingressId: string;
  /** Builds, admits, enqueues; resolves with the delivered, verified response. */
  authenticate(attempt: AuthAttempt): Promise<AuthResult>;
  /** Enqueues and returns the txn without waiting (for held pushes and crash tests). */
  send(attempt: AuthAttempt): Promise<{ txn: string; response: Promise<AuthResult> }>;
  /**
   * The exact packet of an earlier transaction sent again after its txn (and cached answer)
   * expired: deleted here, so the replay is admitted anew, as a captured packet would be.
   */
  replay(txn: string): Promise<AuthResult>;
  close(): Promise<void>;
}

export async function startIngress(redisHandle: RedisHandle, config: Config): Promise<Ingress> {
  const keys = redisKeys(config.redis.keyPrefix);
  const sealer = createSealer(config.security.sealingKeys.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') })));
  const redis = new Redis(redisHandle.url);
  const subscriber = new Redis(redisHandle.url);
  const queueConnection = new Redis(redisHandle.url, { maxRetriesPerRequest: null });
  const queue = new Queue(QueueNames.auth, { connection: queueConnection, prefix: config.redis.keyPrefix });
  const ingressId = `test-ingress-${randomUUID()}`;
  const waiting = new Map<string, (message: DeliveryMessage) => void>();
  const early = new Map<string, DeliveryMessage>();
  const subscription: DeliverySubscription = await subscribeDeliveries(subscriber, keys, ingressId, (message) => {
    const resolve = waiting.get(message.txn);
    if (resolve) {
      waiting.delete(message.txn);
      resolve(message);
    } else early.set(message.txn, message);
  });
  let identifier = 0;
  const sent = new Map<string, { job: AuthJobV1; request: { identifier: number; authenticator: Buffer }; secret: Buffer }>();

  function responseFor(txn: string, request: { identifier: number; authenticator: Buffer }, secret: Buffer): Promise<AuthResult> {
    return new Promise<DeliveryMessage>((resolve) => {
      const already = early.get(txn);
      early.delete(txn);
      if (already) resolve(already);
      else waiting.set(txn, resolve);
    }).then((message) => toResult(message, request, secret));
  }

  async function send(attempt: AuthAttempt): Promise<{ txn: string; response: Promise<AuthResult> }> {
    const client = config.clients.find((c) => c.name === (attempt.clientName ?? config.clients[0]!.name))!;
    const secret = Buffer.from(attempt.transport === 'radsec' ? 'radsec' : client.secret, 'utf8');
    const authenticator = randomBytes(16);
    const attributes: RadiusAttribute[] = [];
    if (attempt.callingStationId) attributes.push(textAttribute(Attr.CallingStationId, attempt.callingStationId));
    if (attempt.serviceType !== undefined) attributes.push(integerAttribute(Attr.ServiceType, attempt.serviceType));
    attributes.push(...(attempt.extra ?? []));
    identifier = (identifier + 1) & 0xff;
    const id = identifier;
    const raw = buildTestRequest({
      secret,
      identifier: id,
      authenticator,
      user: attempt.user,
      ...(attempt.password !== undefined && { password: attempt.password }),
      ...(attempt.state && { state: attempt.state }),
      attributes,
    });
    const source = attempt.source ?? { address: '127.0.0.1', port: 40000 + id };
    const txn = transactionId(client.name, source.address, source.port, id, authenticator);
    const admission = await admitTransaction(redis, keys, { txn, ingressId, ttlMs: 120_000 });
    if (admission.status !== 'new') throw new Error(`transaction ${txn} not new: ${admission.status}`);
    const now = Date.now();
    const job: AuthJobV1 = {
      kind: 'auth.v1',
      txn,
      client: client.name,
      ingressId,
      receivedAt: now,
      deadline: attempt.pastDeadline ? now - 1 : now + client.timeoutSeconds * 1000,
      source,
      sealedRequest: sealer.seal(raw, txn).toString('base64'),
      ...(attempt.transport && { transport: attempt.transport }),
    };
    const requestIdentity = { identifier: id, authenticator };
    sent.set(txn, { job, request: requestIdentity, secret });
    const response = responseFor(txn, requestIdentity, secret);
    await attempt.beforeEnqueue?.(txn, job);
    for (let copy = 0; copy < (attempt.copies ?? 1); copy++) await queue.add('auth', job, { attempts: 2 });
    return { txn, response };
  }

  return {
    keys,
    sealer,
    redis,
    queue,
    ingressId,
    send,
    async authenticate(attempt) {
      return (await send(attempt)).response;
    },
    async replay(txn) {
      const original = sent.get(txn);
      if (!original) throw new Error(`no transaction ${txn} was sent`);
      await redis.del(keys.txn(txn));
      const admission = await admitTransaction(redis, keys, { txn, ingressId, ttlMs: 120_000 });
      if (admission.status !== 'new') throw new Error(`replayed transaction ${txn} not new: ${admission.status}`);
      const response = responseFor(txn, original.request, original.secret);
      const now = Math.max(Date.now(), original.job.receivedAt + 1);
      await queue.add('auth', { ...original.job, receivedAt: now, deadline: now + (original.job.deadline - original.job.receivedAt) }, { attempts: 2 });
      return response;
    },
    async close() {
      await subscription.close();
      await queue.close();
      queueConnection.disconnect();
      subscriber.disconnect();
      redis.disconnect();
    },
  };
}

export function toResult(message: DeliveryMessage, request: { identifier: number; authenticator: Buffer }, secret: Buffer): AuthResult {
  const packet = verifyResponse(message.response, request, secret, { requireMessageAuthenticator: true });
  const attribute = (type: number): Buffer[] => packet.attributes.filter((a) => a.type === type).map((a) => a.value);
  const state = attribute(Attr.State)[0];
  return {
    packet,
    code: packet.code,
    txn: message.txn,
    replyMessage: attribute(Attr.ReplyMessage).map((v) => v.toString('utf8')).join(''),
    ...(state && { state }),
    attribute,
  };
}

/** A worker with its own connections, as `startWorker` builds it. */
export interface RunningWorker {
  readonly deps: WorkerDependencies;
  readonly worker: Worker;
  close(): Promise<void>;
}

export function startTestWorker(redisHandle: RedisHandle, config: Config, options: { lockDurationMs?: number; entra?: Partial<EntraOptions> } = {}): RunningWorker {
  const commands = new Redis(redisHandle.url);
  const blocking = new Redis(redisHandle.url, { maxRetriesPerRequest: null });
  const logger = pino({ level: 'silent' });
  const deps = createWorkerDependencies({ config, redis: commands, logger, ...(options.entra && { entra: options.entra }) });
  const worker = createAuthWorker(deps, {
    connection: blocking,
    prefix: config.redis.keyPrefix,
    logger,
    concurrency: 8,
    ...(options.lockDurationMs !== undefined && { lockDurationMs: options.lockDurationMs }),
  });
  return {
    deps,
    worker,
    async close() {
      await worker.close();
      await deps.close();
      commands.disconnect();
      blocking.disconnect();
    },
  };
}

/** A client entry with test defaults; each gets its own loopback address (127.0.0.N). */
export function clientFactory(defaults: Record<string, unknown>): (name: string, extra?: Record<string, unknown>) => Record<string, unknown> {
  let host = 0;
  return (name, extra = {}) => ({ name, address: `127.0.0.${++host}`, secret: CLIENT_SECRET, ...defaults, ...extra });
}

/** An argon2id hash at a cost fit for tests (the default cost is measured by the benchmark). */
export function cheapArgon2Hash(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, memoryCost: 4096, timeCost: 2, parallelism: 1 });
}

/** Redis, the config, a played ingress and running workers for one describe block. */
export interface WorkerSuite {
  readonly redis: RedisHandle;
  readonly config: Config;
  readonly ingress: Ingress;
  readonly workers: readonly RunningWorker[];
  /** A plain connection for the test's own reads and writes. */
  readonly commands: Redis;
  readonly users: UserStore;
  /**
   * Resolves once no auth job is waiting or active (20 s at most). A worker audits a decision after
   * it delivers the verdict, so a test that has its answer reads the audit stream only after this.
   */
  settled(): Promise<void>;
  /** The `reason` of every audit event so far, in order (after `settled()`). */
  auditReasons(): Promise<string[]>;
  /** The `outcome` of every audit event so far, in order (after `settled()`). */
  auditOutcomes(): Promise<string[]>;
}

export interface WorkerSuiteOptions {
  /** The suite's config sections (clients, directories, mfa), built once its Redis runs. */
  sections: (redis: RedisHandle) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Workers sharing the queue (two, to show what holds across workers); one by default. */
  workers?: number;
  entra?: Partial<EntraOptions>;
}

/** Registers beforeAll/afterAll; the returned object's fields are set once beforeAll has run. */
export function useWorkerSuite(options: WorkerSuiteOptions): WorkerSuite {
  const suite = {} as { -readonly [K in keyof WorkerSuite]: WorkerSuite[K] };
  const settled = async (): Promise<void> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const counts = await suite.ingress.queue.getJobCounts('waiting', 'active', 'prioritized');
      if (Object.values(counts).every((count) => count === 0) || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const auditField = async (field: string): Promise<string[]> => {
    await settled();
    const entries = await suite.commands.xrange(suite.ingress.keys.audit(), '-', '+');
    return entries.map(([, fields]) => fields[fields.indexOf(field) + 1] ?? '');
  };
  beforeAll(async () => {
    suite.redis = await startRedis();
    suite.config = testConfig(suite.redis, suite.redis.prefix(), await options.sections(suite.redis));
    suite.ingress = await startIngress(suite.redis, suite.config);
    suite.workers = Array.from({ length: options.workers ?? 1 }, () => startTestWorker(suite.redis, suite.config, options.entra ? { entra: options.entra } : {}));
    suite.commands = new Redis(suite.redis.url);
    suite.users = createUserStore({ redis: suite.commands, keys: suite.ingress.keys, sealer: suite.ingress.sealer, totp: suite.config.mfa.totp });
    suite.settled = settled;
    suite.auditReasons = () => auditField('reason');
    suite.auditOutcomes = () => auditField('outcome');
  }, 120_000);
  afterAll(async () => {
    await Promise.all((suite.workers ?? []).map((worker) => worker.close()));
    await suite.ingress?.close();
    suite.commands?.disconnect();
    await suite.redis?.stop();
  });
  return suite;
}

/** Enrols `user` for TOTP (confirmed) and returns what the person's app shows now, on each call. */
export async function enrolTotp(users: UserStore, user: string): Promise<() => string> {
  const { secret } = await users.enrollTotp(user, { confirmed: true });
  const bytes = base32Decode(secret);
  return () => generateTotp(bytes, { time: Date.now() / 1000 });
}
