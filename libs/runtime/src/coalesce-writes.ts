// One socket write per event-loop turn instead of one per command, for connections without
// ioredis' autopipelining (every one createRedis makes: see RedisPurposeOptions.autoPipelining).
import type { Cluster, Redis } from 'ioredis';
import type { Writable } from 'node:stream';

const COALESCED = Symbol('radius-mfa.coalesced-writes');

type MarkedWritable = Writable & { [COALESCED]?: true };

/**
 * Corks the socket at the first write of a turn and uncorks it once the turn's callbacks and
 * promise reactions are done (`process.nextTick`): the commands written meanwhile leave in one
 * `writev`. The bytes and their order are unchanged; only the number of system calls falls.
 */
export function coalesceSocketWrites(socket: Writable): void {
  const marked = socket as MarkedWritable;
  if (marked[COALESCED]) return;
  marked[COALESCED] = true;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  socket.write = ((...args: unknown[]): boolean => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  }) as Writable['write'];
}

/**
 * Applies `coalesceSocketWrites` to the connection's socket, if it has one yet, and to each socket
 * it opens later (a reconnect opens a new one).
 */
export function coalesceRedisWrites(redis: Redis): void {
  const apply = (): void => {
    const stream = (redis as unknown as { stream?: Writable }).stream;
    if (stream !== undefined) coalesceSocketWrites(stream);
  };
  apply();
  redis.on('connect', apply);
}

/** `coalesceRedisWrites` for every node connection of a Cluster, those it has and those it adds. */
export function coalesceClusterWrites(cluster: Cluster): void {
  for (const node of cluster.nodes('all')) coalesceRedisWrites(node);
  cluster.on('+node', (node: Redis) => coalesceRedisWrites(node));
}
