// Wiring only: sockets, admission, delivery, deadlines and shutdown of one ingress.
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseEndpoint, type Endpoint } from '@radius-mfa/config';
import { QueueNames, redisKeys, type AuthJobV1 } from '@radius-mfa/contracts';
import { createSealer } from '@radius-mfa/mfa';
import { type RoleContext, type RunningRole } from '@radius-mfa/runtime';
import { subscribeDeliveries } from '@radius-mfa/transactions';
import { createAdmission, responseCodeLabel, type PortKind } from './admission.js';
import { createClientTable } from './client-table.js';
import { createDeadlineHandler } from './deadline.js';
import { IngressConfigError } from './ingress-errors.js';
import { PendingTransactions, type PendingEntry } from './pending.js';
import { chooseRadsecClient, type PeerIdentity, type RadsecClientChoice } from './radsec-identity.js';
import { startRadsecListener, type RadsecListener } from './radsec-listener.js';
import { createKeyedRateLimiter, createTokenBucket } from './rate-limit.js';
import { createStatusServerResponder } from './status-server.js';
import { startUdpListener, type UdpListener } from './udp-listener.js';

export interface IngressOptions {
  /** The ingress answers Reject this long before the client's timeoutSeconds. Default 2 s. */
  readonly deadlineMarginMs?: number;
  /** Graceful shutdown waits at most this long for pending transactions. Default 25 s. */
  readonly drainTimeoutMs?: number;
  /** A RadSec connection silent this long is closed. Default 120 s. */
  readonly radsecIdleTimeoutMs?: number;
}

export interface RunningIngress extends RunningRole {
  /** Bound addresses (port 0 resolved), for tests and logs. */
  readonly addresses: { readonly auth: AddressInfo[]; readonly accounting: AddressInfo[]; readonly radsec: AddressInfo[] };
}

/** A pending transaction stays in Redis this long past the client's timeout, for late retransmissions. */
const TRANSACTION_TTL_MARGIN_MS = 10_000;

export function createIngressStarter(options: IngressOptions = {}): (ctx: RoleContext) => Promise<RunningIngress> {
  return async (ctx) => {
    const { config, metrics } = ctx;
    const logger = ctx.logger.child({ component: 'radius-ingress' });
    const keys = redisKeys(config.redis.keyPrefix);
    const redis = ctx.redis('ingress');
    const queue = new Queue<AuthJobV1>(QueueNames.auth, {
      // An add that fails is the admission's failure (the NAS retransmits): no waiting out a reconnect.
      connection: ctx.redis('ingress-queue', { bullmq: 'fail-fast' }),
      prefix: config.redis.keyPrefix,
      defaultJobOptions: {
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
        attempts: 3,
        backoff: { type: 'fixed', delay: 500 },
      },
    });
    // BullMQ re-emits connection errors; the connection's own handler already logs them.
    queue.on('error', (error) => logger.debug({ err: error }, 'auth queue connection error'));
    const sealer = createSealer(config.security.sealingKeys.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') })));
    const clients = createClientTable(config.clients);
    let draining = false;

    let onDeadline: (entry: PendingEntry) => void = () => undefined;
    const pending = new PendingTransactions({
      limit: config.radius.maxPendingPerPod,
      onDeadline: (entry) => onDeadline(entry),
      onAnswered(entry, response, sent) {
        const labels = { client: entry.client.config.name, code: responseCodeLabel(response) };
        metrics.radiusResponsesSent.inc(labels, sent);
        metrics.radiusRequestDuration.observe(labels, (performance.now() - entry.receivedAt) / 1000);
      },
      onSizeChange: (size) => metrics.radiusPendingTransactions.set(size),
    });
    onDeadline = createDeadlineHandler({ redis, keys, pending, logger });

    // ioredis' Cluster offers the same subscribe/messageBuffer surface as a single connection.
    const subscriber = ctx.redis('ingress-deliveries') as Redis;
    const subscription = await subscribeDeliveries(
      subscriber,
      keys,
      ctx.instanceId,
      (message) => pending.answer(message.txn, message.response),
      (error) => logger.warn({ err: error }, 'malformed delivery skipped'),
    );

    const admission = createAdmission({
      clients,
      rateLimiter: createKeyedRateLimiter((name) => clients.byName(name)!.config.rateLimit),
      unknownClientLog: createTokenBucket({ perSecond: 1, burst: 10 }),
      statusServer: createStatusServerResponder({ redis, perSecond: config.radius.statusServerPerSecond }),
      pending,
      redis,
      keys,
      ingressId: ctx.instanceId,
      sealer,
      enqueue: async (job) => {
        // BullMQ refuses digit-only job ids; the id makes a re-add of the same transaction a no-op.
        await queue.add(job.kind, job, { jobId: `t${job.txn}` });
      },
      jobExists: async (txn) => (await redis.exists(queue.toKey(`t${txn}`))) === 1,
      metrics,
      logger,
      isDraining: () => draining,
      deadlineMarginMs: options.deadlineMarginMs ?? 2_000,
      transactionTtlMarginMs: TRANSACTION_TTL_MARGIN_MS,
    });

    const onSocketError = (error: Error): void => logger.warn({ err: error }, 'socket error');
    const radsecRefusalLog = createTokenBucket({ perSecond: 1, burst: 10 });
    const chooseClient = (peer: PeerIdentity): RadsecClientChoice => {
      const choice = chooseRadsecClient(clients, peer);
      if ('refused' in choice && radsecRefusalLog.take()) {
        const certificate = { subjectAltName: peer.certificate?.subjectAltName, commonNames: peer.commonNames };
        logger.warn({ source: peer.address, client: choice.client?.config.name, reason: choice.refused, certificate }, 'RadSec connection refused: its source address or certificate names no client');
      }
      return choice;
    };
    const udpListeners: { listener: UdpListener; portKind: PortKind }[] = [];
    const radsecListeners: RadsecListener[] = [];
    const udpEndpoints = (list: readonly string[], portKind: PortKind): { endpoint: Endpoint; portKind: PortKind }[] =>
      list.map((text) => ({ endpoint: parseEndpoint(text, { allowPortZero: true }), portKind })).filter(({ endpoint }) => endpoint.protocol === 'udp');

    async function listen(): Promise<void> {
      for (const { endpoint, portKind } of [...udpEndpoints(config.radius.listen, 'auth'), ...udpEndpoints(config.radius.accountingListen, 'accounting')]) {
        const listener = await startUdpListener({
          endpoint,
          receiveBufferBytes: config.radius.receiveBufferBytes,
          onError: onSocketError,
          onDatagram: (datagram) => {
            admission.admit({ ...datagram, portKind }).catch((error: unknown) => logger.error({ err: error }, 'admission failed'));
          },
        });
        udpListeners.push({ listener, portKind });
      }
      for (const text of [...config.radius.listen, ...config.radius.accountingListen]) {
        const endpoint = parseEndpoint(text, { allowPortZero: true });
        if (endpoint.protocol !== 'tls') continue;
        if (!config.radius.tls) throw new IngressConfigError('radsec-without-tls', `${text} needs radius.tls (cert, key, ca)`);
        radsecListeners.push(
          await startRadsecListener({
            endpoint,
            tls: config.radius.tls,
            chooseClient,
            onFrame: (frame) => admission.admit({ ...frame, portKind: 'radsec' }),
            limits: {
              maxConnections: config.radius.tls.maxConnections,
              maxConnectionsPerAddress: config.radius.tls.maxConnectionsPerAddress,
              handshakeTimeoutMs: config.radius.tls.handshakeTimeoutSeconds * 1000,
            },
            idleTimeoutMs: options.radsecIdleTimeoutMs ?? 120_000,
            onError: (error) => logger.debug({ err: error }, 'RadSec connection error'),
            onClose: (reason) => logger.debug({ reason }, 'RadSec connection closed'),
            onDrop: (reason) => metrics.radiusPacketsDropped.inc({ reason }),
          }),
        );
      }
    }

    async function closeSockets(): Promise<void> {
      await Promise.all([...udpListeners.map(({ listener }) => listener.close()), ...radsecListeners.map((l) => l.close())]);
    }

    try {
      await listen();
    } catch (error) {
      await closeSockets();
      await subscription.close();
      await queue.close();
      throw error;
    }

    let listening = true;
    ctx.readiness.add('ingress-sockets', () => listening && !draining);
    const addresses = {
      auth: udpListeners.filter((l) => l.portKind === 'auth').map(({ listener }) => listener.address),
      accounting: udpListeners.filter((l) => l.portKind === 'accounting').map(({ listener }) => listener.address),
      radsec: radsecListeners.map((l) => l.address),
    };
    const receiveBuffers = udpListeners.map(({ listener }) => listener.receiveBufferBytes);
    logger.info({ addresses, receiveBuffers, clients: clients.clients.length }, 'radius-ingress listening');

    let stopped: Promise<void> | undefined;
    return {
      addresses,
      stop() {
        stopped ??= (async () => {
          // Readiness goes false first, so load balancers stop sending; then stop taking new work
          // and keep answering what is pending until it drains or the bound passes.
          draining = true;
          ctx.readiness.setDraining();
          for (const listener of radsecListeners) listener.stopAccepting();
          let timer: NodeJS.Timeout | undefined;
          const bound = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, options.drainTimeoutMs ?? 25_000);
          });
          await Promise.race([pending.drained(), bound]);
          clearTimeout(timer);
          if (pending.size > 0) logger.warn({ pending: pending.size }, 'shutdown bound passed with transactions pending');
          pending.clear();
          listening = false;
          await closeSockets();
          await subscription.close();
          await queue.close();
        })();
        return stopped;
      },
    };
  };
}
