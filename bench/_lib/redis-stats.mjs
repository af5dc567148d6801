// Redis-side figures for benchmarks: commands executed (INFO commandstats), CPU, memory.
import { Redis } from 'ioredis';

function parseInfo(text) {
  const out = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return out;
}

/** Total calls per command since the last CONFIG RESETSTAT, e.g. { evalsha: 120, publish: 40 }. */
export async function commandCalls(redis) {
  const info = parseInfo(await redis.info('commandstats'));
  const calls = {};
  for (const [key, value] of Object.entries(info)) {
    if (!key.startsWith('cmdstat_')) continue;
    const match = /calls=(\d+)/.exec(value);
    if (match) calls[key.slice('cmdstat_'.length)] = Number(match[1]);
  }
  return calls;
}

/** Commands per unit of work (login, job), most frequent first: `perCommand` as `redisMeter().read()` gives it. */
export function commandsPerUnit(perCommand, units) {
  return Object.fromEntries(
    Object.entries(perCommand)
      .sort((a, b) => b[1] - a[1])
      .map(([command, n]) => [command, Math.round((n / units) * 100) / 100]),
  );
}

export async function redisCpuSeconds(redis) {
  const info = parseInfo(await redis.info('cpu'));
  return Number(info.used_cpu_user) + Number(info.used_cpu_sys);
}

export async function redisUsedMemory(redis) {
  return Number(parseInfo(await redis.info('memory')).used_memory);
}

/**
 * A meter over one Redis: `read()` gives the commands run (total and per command, the
 * meter's own INFO calls left out) and Redis CPU seconds since `start`.
 */
export async function redisMeter(url) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  const calls0 = await commandCalls(redis);
  const cpu0 = await redisCpuSeconds(redis);
  return {
    async read() {
      const calls1 = await commandCalls(redis);
      const cpu1 = await redisCpuSeconds(redis);
      const perCommand = {};
      let total = 0;
      for (const [command, count] of Object.entries(calls1)) {
        let delta = count - (calls0[command] ?? 0);
        // Our own INFO calls: two between start and read.
        if (command === 'info') delta -= 2;
        if (delta > 0) {
          perCommand[command] = delta;
          total += delta;
        }
      }
      return { total, perCommand, cpuSeconds: cpu1 - cpu0 };
    },
    close: () => redis.quit().catch(() => redis.disconnect()),
  };
}
