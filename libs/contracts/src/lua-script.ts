import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

type RedisConnection = Redis | Cluster;
type ScriptArgument = string | number | Buffer;

/** ioredis has a Buffer-reply variant of every command; its typings omit these two. */
interface BufferScripting {
  evalshaBuffer(sha: string, numkeys: number, ...args: ScriptArgument[]): Promise<unknown>;
  evalBuffer(source: string, numkeys: number, ...args: ScriptArgument[]): Promise<unknown>;
}

/**
 * A Lua script run by EVALSHA, loaded with EVAL on the first NOSCRIPT (a fresh or flushed Redis,
 * a failover). The client is not modified (no defineCommand): ioredis copies defined commands
 * into an auto-pipeline only when it creates it, so a command defined lazily while a batch is
 * open fails inside ioredis. EVALSHA is a plain command every connection and pipeline has.
 */
export class LuaScript {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script; replies as ioredis decodes them (strings, numbers, arrays). */
  async run(redis: RedisConnection, keys: readonly string[], args: readonly ScriptArgument[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /** Runs the script; bulk replies stay Buffers (binary-safe, e.g. RADIUS packets). */
  async runBuffer(redis: RedisConnection, keys: readonly string[], args: readonly ScriptArgument[]): Promise<unknown> {
    try {
      // Not callBuffer: ioredis 6 drops its command name inside an auto-pipeline.
      return await (redis as unknown as BufferScripting).evalshaBuffer(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return (redis as unknown as BufferScripting).evalBuffer(this.source, keys.length, ...keys, ...args);
    }
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** Redis returns flat [field, value, ...] arrays from HGETALL inside Lua. */
export function pairsToRecord(flat: readonly unknown[], start = 0): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = start; i + 1 < flat.length; i += 2) record[String(flat[i])] = String(flat[i + 1]);
  return record;
}
