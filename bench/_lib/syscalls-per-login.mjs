#!/usr/bin/env node
// System calls per login, per process: the pipeline paced at a fixed rate, the write- and
// read-family calls of the ingress, the worker and Redis read from /proc/<pid>/io (syscw, syscr;
// UDP sends are not among them) around the measured run. Linux only.
// `node bench/_lib/syscalls-per-login.mjs [rate] [seconds]` (a file starting with `_lib` is not a
// benchmark; run it with the Node 24 of node_modules after `npx tsc -b`).
import { readFileSync } from 'node:fs';
import { withPacedPipeline } from './pipeline-measure.mjs';
import { round } from './stats.mjs';

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

const result = await withPacedPipeline({ userCount: 100_000 }, async ({ drive, pids }) => {
  const measured = { ingress: pids.ingress, worker: pids.worker, redis: pids.redis };
  // Warm-up: JIT, connections, the user hashes' first reads.
  await drive(rate, 2);
  const before = Object.fromEntries(Object.entries(measured).map(([name, pid]) => [name, processIo(pid)]));
  const run = await drive(rate, seconds, 0);
  const after = Object.fromEntries(Object.entries(measured).map(([name, pid]) => [name, processIo(pid)]));
  const logins = run.counts.accept;
  const perLogin = (name, field) => round((after[name][field] - before[name][field]) / logins, 2);
  return {
    rate,
    logins,
    p50Ms: run.p50Ms,
    p99Ms: run.p99Ms,
    ...Object.fromEntries(Object.keys(measured).map((name) => [name, { writesPerLogin: perLogin(name, 'syscw'), readsPerLogin: perLogin(name, 'syscr') }])),
  };
});
console.log(JSON.stringify({ diagnostic: 'syscalls-per-login', seconds, ...result }));
