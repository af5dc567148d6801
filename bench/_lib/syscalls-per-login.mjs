#!/usr/bin/env node
// System calls per login, per process: the pipeline paced at a fixed rate, the write- and
// read-family calls of the ingress, the worker and Redis read from /proc/<pid>/io (syscw, syscr;
// UDP sends are not among them) around the measured run. Linux only.
// `node bench/_lib/syscalls-per-login.mjs [rate] [seconds]` (a file starting with `_lib` is not a
// benchmark; run it with the Node 24 of node_modules after `npx tsc -b`).
import { readFileSync } from 'node:fs';
import { withPipeline } from './pipeline-measure.mjs';
import { driveLogins, openRadiusClient } from './radius-load.mjs';
import { round } from './stats.mjs';
import { startBenchRedis } from './system.mjs';

const rate = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 6);
if (!(rate > 0 && seconds > 0)) throw new Error('usage: syscalls-per-login.mjs [rate > 0] [seconds > 0]');

/** /proc/<pid>/io as numbers: rchar, wchar, syscr, syscw, … */
function processIo(pid) {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/io`, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(': '))
      .map(([name, value]) => [name, Number(value)]),
  );
}

const redis = await startBenchRedis();
try {
  const { result } = await withPipeline({ redisUrl: redis.url, userCount: 100_000 }, async ({ secret, targets, nextLogin, processes }) => {
    const pids = { ingress: processes.ingress, worker: processes.worker, redis: redis.process.pid };
    const client = await openRadiusClient({ secret, sockets: 4 });
    try {
      // Warm-up: JIT, connections, the user hashes' first reads.
      await driveLogins({ client, secret, targets, nextLogin, inFlight: client.capacity, rate, seconds: 2, warmupSeconds: 1 });
      const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processIo(pid)]));
      const run = await driveLogins({ client, secret, targets, nextLogin, inFlight: client.capacity, rate, seconds, warmupSeconds: 0 });
      const after = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processIo(pid)]));
      const logins = run.counts.accept;
      const perLogin = (name, field) => round((after[name][field] - before[name][field]) / logins, 2);
      return {
        rate,
        logins,
        p50Ms: run.p50Ms,
        p99Ms: run.p99Ms,
        ...Object.fromEntries(Object.keys(pids).map((name) => [name, { writesPerLogin: perLogin(name, 'syscw'), readsPerLogin: perLogin(name, 'syscr') }])),
      };
    } finally {
      await client.close();
    }
  });
  console.log(JSON.stringify({ diagnostic: 'syscalls-per-login', seconds, ...result }));
} finally {
  await redis.stop();
}
