// Test harness: an in-process ingress on real sockets and a real Redis, a RADIUS client on a
// real UDP socket (@radius-mfa/testing's TestNas), and a stand-in worker (BullMQ) that plays the
// mfa-worker's part.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';
import { Redis } from 'ioredis';
import { Worker, type Job } from 'bullmq';
import type { Registry } from 'prom-client';
import { parseConfig, type Config } from '@radius-mfa/config';
import { QueueNames, parseAuthJob, redisKeys, type AuthJobV1, type RedisKeys } from '@radius-mfa/contracts';
import { createSealer } from '@radius-mfa/mfa';
import {
  Attr,
  Code,
  buildRequest,
  buildResponse,
  decodePacket,
  replyMessageAttributes,
  type RadiusAttribute,
  type RadiusPacket,
} from '@radius-mfa/radius-protocol';
import { createLogger, createRoleContext, type RoleContext } from '@radius-mfa/runtime';
import { deliverVerdict } from '@radius-mfa/transactions';
import { buildTestRequest, verifyTestReply, type RedisHandle, type TestCertificate, type TestNas } from '@radius-mfa/testing';
import { createIngressStarter, type IngressOptions, type RunningIngress } from '@radius-mfa/radius-ingress';

export { TestNas } from '@radius-mfa/testing';

export const SECRET = 'testing123-secret';
export const SEALING_KEY = randomBytes(32).toString('base64');

export interface ConfigOverrides {
  radius?: Record<string, unknown>;
  clients?: Record<string, unknown>[];
  client?: Record<string, unknown>;
}

/** A config as YAML text (JSON is YAML): one client `nas` for all of 127.0.0.0/8. */
export function configText(redis: RedisHandle, prefix: string, overrides: ConfigOverrides = {}): string {
  return JSON.stringify({
    redis: { url: redis.url, keyPrefix: prefix },
    radius: { listen: ['udp://127.0.0.1:0'], accountingListen: ['udp://127.0.0.1:0'], statusServerPerSecond: 1000, ...overrides.radius },
    security: { sealingKeys: [{ id: 'k1', key: SEALING_KEY }] },
    log: { level: 'silent' },
    clients: overrides.clients ?? [{ name: 'nas', address: '127.0.0.0/8', secret: SECRET, timeoutSeconds: 30, ...overrides.client }],
  });
}

export function testConfig(redis: RedisHandle, prefix: string, overrides: ConfigOverrides = {}): Config {
  return parseConfig(configText(redis, prefix, overrides), { env: {} }).config;
}

export interface TestIngress {
  readonly ingress: RunningIngress;
  readonly context: RoleContext;
  readonly keys: RedisKeys;
  readonly authPort: number;
  readonly accountingPort: number;
  /** Log lines the ingress wrote (JSON). */
  readonly logs: string[];
  counter(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  // A histogram's values carry metricName (_bucket, _sum, _count): count its observations.
  return values
    .filter((v) => {
      const metricName = (v as { metricName?: string }).metricName;
      return metricName === undefined || metricName === name || metricName === `${name}_count`;
    })
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

export async function startTestIngress(config: Config, options: IngressOptions = {}): Promise<TestIngress> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'debug', name: 'ingress', destination });
  const { context, closeRedisConnections } = createRoleContext({ config, logger });
  const ingress = await createIngressStarter(options)(context);
  return {
    ingress,
    context,
    logs,
    keys: redisKeys(config.redis.keyPrefix),
    authPort: ingress.addresses.auth[0]?.port ?? 0,
    accountingPort: ingress.addresses.accounting[0]?.port ?? 0,
    counter: (name, labels) => metricValue(context.registry, name, labels),
    async stop() {
      await ingress.stop();
      await closeRedisConnections();
    },
  };
}

export interface RequestOptions {
  identifier?: number;
  user?: string;
  password?: string | Buffer;
  secret?: string;
  messageAuthenticator?: boolean;
  attributes?: RadiusAttribute[];
  code?: number;
  authenticator?: Buffer;
}

/** An Access-Request (PAP) as a NAS sends it, Message-Authenticator first by default: alice/pw unless told. */
export function accessRequest(options: RequestOptions = {}): Buffer {
  const defaults = options.attributes === undefined;
  return buildTestRequest({
    secret: options.secret ?? SECRET,
    ...(options.code !== undefined && { code: options.code }),
    ...(options.identifier !== undefined && { identifier: options.identifier }),
    ...(options.authenticator !== undefined && { authenticator: options.authenticator }),
    ...((options.user !== undefined || defaults) && { user: options.user ?? 'alice' }),
    ...((options.password !== undefined || defaults) && { password: options.password ?? 'pw' }),
    ...(options.attributes !== undefined && { attributes: options.attributes }),
    messageAuthenticator: options.messageAuthenticator ?? true,
  });
}

export function statusServer(identifier = 7, secret = SECRET): Buffer {
  return buildRequest({ code: Code.StatusServer, identifier, attributes: [], secret: Buffer.from(secret), messageAuthenticator: true });
}

/** Verifies a reply as a BlastRADIUS-aware NAS would: authenticators, and Message-Authenticator first. */
export function verifyReply(reply: Buffer, request: Buffer, secret = SECRET): RadiusPacket {
  return verifyTestReply(reply, request, secret);
}

export function replyMessage(packet: RadiusPacket): string {
  return Buffer.concat(packet.attributes.filter((a) => a.type === Attr.ReplyMessage).map((a) => a.value)).toString();
}

/**
 * Sends `packet` and proves nothing came back: a Status-Server sent right after it on the same
 * socket must be the next datagram (loopback keeps order; the drop is decided before the probe's answer).
 */
export async function expectSilence(nas: TestNas, packet: Buffer, port: number): Promise<void> {
  nas.send(packet, port);
  const probe = statusServer(251);
  nas.send(probe, port);
  const next = await nas.receive();
  verifyReply(next, probe);
  if (next[1] !== 251) throw new Error(`expected silence, got a reply with identifier ${next[1]}`);
}

/** The mfa-worker's part: takes auth jobs, hands each to `onJob` (which may answer now or later). */
export interface StandInWorker {
  readonly jobs: AuthJobV1[];
  /** Resolves with the next job taken. */
  nextJob(): Promise<AuthJobV1>;
  /** Unseals the job's request (proves the seal) and answers it through deliverVerdict. */
  answer(job: AuthJobV1, code: number, message: string): Promise<Buffer>;
  close(): Promise<void>;
}

export async function startStandInWorker(
  redis: RedisHandle,
  prefix: string,
  options: { autoAnswer?: { code: number; message: string } } = {},
): Promise<StandInWorker> {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const commands = new Redis(redis.url);
  const keys = redisKeys(prefix);
  const sealer = createSealer([{ id: 'k1', key: Buffer.from(SEALING_KEY, 'base64') }]);
  const jobs: AuthJobV1[] = [];
  let handedOut = 0;
  let waiter: (() => void) | undefined;
  const answer = async (job: AuthJobV1, code: number, message: string): Promise<Buffer> => {
    const request = decodePacket(sealer.unseal(Buffer.from(job.sealedRequest, 'base64'), job.txn));
    // RFC 6614 §2.3: over RadSec the secret is "radsec".
    const secret = Buffer.from(job.transport === 'radsec' ? 'radsec' : SECRET);
    const response = buildResponse(request, code, replyMessageAttributes(message), secret);
    return (await deliverVerdict(commands, keys, job.txn, response)).response;
  };
  const worker = new Worker(
    QueueNames.auth,
    async (bullJob: Job) => {
      const job = parseAuthJob(bullJob.data);
      jobs.push(job);
      waiter?.();
      if (options.autoAnswer) await answer(job, options.autoAnswer.code, options.autoAnswer.message);
    },
    { connection, prefix, concurrency: 16 },
  );
  await worker.waitUntilReady();
  return {
    jobs,
    async nextJob() {
      while (jobs.length <= handedOut) await new Promise<void>((resolve) => (waiter = resolve));
      return jobs[handedOut++]!;
    },
    answer,
    async close() {
      await worker.close();
      connection.disconnect();
      commands.disconnect();
    },
  };
}

export interface RadsecPeerOptions {
  readonly port: number;
  /** The CA (PEM) the ingress's certificate chains to. */
  readonly ca: string;
  /** The client certificate; none: an anonymous client. */
  readonly cert?: TestCertificate;
  readonly maxVersion?: 'TLSv1.1';
  readonly localAddress?: string;
}

/** A RadSec peer: reads whole packets framed by their Length field. */
export class RadsecPeer {
  private buffered = Buffer.alloc(0);
  private readonly packets: Buffer[] = [];
  private waiter: (() => void) | undefined;
  readonly closed: Promise<void>;

  constructor(readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= this.buffered.readUInt16BE(2)) {
        const length = this.buffered.readUInt16BE(2);
        this.packets.push(this.buffered.subarray(0, length));
        this.buffered = this.buffered.subarray(length);
      }
      this.waiter?.();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Connects to 127.0.0.1:`port`, from `localAddress` when given (any of 127.0.0.0/8 on Linux). */
  static open(options: RadsecPeerOptions): Promise<RadsecPeer> {
    const { cert, maxVersion, localAddress } = options;
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port: options.port,
        ca: options.ca,
        ...(cert && { cert: cert.cert, key: cert.key }),
        ...(maxVersion && { maxVersion, minVersion: maxVersion }),
        ...(localAddress && { localAddress }),
      });
      socket.once('secureConnect', () => resolve(new RadsecPeer(socket)));
      socket.once('error', reject);
      socket.once('close', () => reject(new Error('closed before the TLS handshake completed')));
    });
  }

  async receive(): Promise<Buffer> {
    while (this.packets.length === 0) {
      await Promise.race([new Promise<void>((resolve) => (this.waiter = resolve)), this.closed.then(() => Promise.reject(new Error('connection closed')))]);
    }
    return this.packets.shift()!;
  }

  send(data: Buffer): void {
    this.socket.write(data);
  }
}
