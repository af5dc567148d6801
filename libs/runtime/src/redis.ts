// Redis connections for every role: one URL, Sentinel or Cluster, from `config.redis`.
import { Redis, Cluster, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '@radius-mfa/config';
import { coalesceClusterWrites, coalesceRedisWrites } from './coalesce-writes.js';

/** A connection from `createRedis`: a single server (also via Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

export interface RedisPurposeOptions {
  /**
   * A BullMQ Queue/Worker/QueueEvents connection. `true`: commands wait for a reconnect instead of
   * failing (a Worker requires it). `'fail-fast'`: a Queue that adds jobs on the request path, whose
   * commands fail as fast as our own (the caller answers for the failure).
   */
  bullmq?: boolean | 'fail-fast';
  /**
   * ioredis autopipelining. Off by default: each event-loop turn's commands leave in one socket
   * write anyway (`coalesceSocketWrites`, on a Cluster's node connections too: the same bytes in the
   * same order), without the `Pipeline` object an autopipeline makes per turn. With it on, most of what
   * a login allocated outlived two young-generation GCs although nothing reachable held it (the
   * ingress promoted about 2 MB per scavenge at half the peak rate, without it 0.7 MB; the worker
   * 0.95 MB, without it 0.15-0.25 MB), and the p99 at half the peak was higher in each of four
   * alternating runs (docs/benchmarks.md, "Fourth pass"). BullMQ's
   * connections never use it (Bull users reported jobs losing their active state under it, and a
   * pipeline copies every script defined on its connection).
   */
  autoPipelining?: boolean;
}

/** The connection name (CLIENT SETNAME) of a purpose: visible in `CLIENT LIST` to tell connections apart. */
export function redisConnectionName(purpose: string): string {
  return `rmfa:${purpose}`.replace(/[^A-Za-z0-9:_.-]/g, '_');
}

/**
 * Sent on their own, never in an autopipeline: a batch waits for its slowest reply, so a command
 * that blocks (BullMQ's BZPOPMIN on its duplicated connection) would hold the commands batched
 * with it, and BullMQ's watchdog aborts an overdue one by disconnecting.
 */
const BLOCKING_COMMANDS = ['blpop', 'brpop', 'brpoplpush', 'blmove', 'blmpop', 'bzpopmin', 'bzpopmax', 'bzmpop', 'xread', 'xreadgroup', 'wait', 'waitaof'];

function optionsFromUrl(url: URL): RedisOptions {
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** A Sentinel address that is not `host:port` (the schema normally refuses it first). */
export class RedisAddressError extends Error {
  readonly code = 'REDIS_ADDRESS_INVALID';
  constructor(readonly address: string) {
    super(`not host:port: ${address}`);
    this.name = 'RedisAddressError';
  }
}

function hostPort(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (!match) throw new RedisAddressError(address);
  return { host: match[1]!, port: Number(match[2]) };
}

export function createRedis(config: RedisConfig, purpose: string, options: RedisPurposeOptions = {}): RedisClient {
  const url = new URL(config.url);
  const autoPipelining = options.autoPipelining ?? false;
  const common: RedisOptions = {
    connectionName: redisConnectionName(purpose),
    // Fail fast on the request path (failMode decides); BullMQ's Workers need commands to wait out a reconnect.
    maxRetriesPerRequest: options.bullmq === true ? null : 2,
    enableReadyCheck: true,
    autoPipeliningIgnoredCommands: BLOCKING_COMMANDS,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
  };
  const client = config.cluster
    ? new Cluster(
        config.cluster.nodes.map((node) => {
          const u = new URL(node);
          return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 6379) };
        }),
        // Autopipelining, when asked for, is the Cluster's option (it batches per node), not its nodes'.
        { enableAutoPipelining: autoPipelining, autoPipeliningIgnoredCommands: BLOCKING_COMMANDS, redisOptions: { ...common, ...optionsFromUrl(url) } },
      )
    : config.sentinel
      ? new Redis({
          ...common,
          enableAutoPipelining: autoPipelining,
          ...optionsFromUrl(url),
          name: config.sentinel.name,
          sentinels: config.sentinel.sentinels.map(hostPort),
          ...(config.sentinel.password ? { sentinelPassword: config.sentinel.password } : {}),
        })
      : new Redis({
          ...common,
          enableAutoPipelining: autoPipelining,
          ...optionsFromUrl(url),
          host: url.hostname.replace(/^\[|\]$/g, ''),
          port: Number(url.port || 6379),
        });
  // Without autopipelining (the default), each turn's commands still leave in one socket write.
  if (!autoPipelining) {
    if (client instanceof Cluster) coalesceClusterWrites(client);
    else coalesceRedisWrites(client);
  }
  return client;
}

/** `/readyz` check: Redis answers PING now. */
export function redisReadinessCheck(redis: RedisClient): () => Promise<boolean> {
  return async () => (await redis.ping()) === 'PONG';
}
