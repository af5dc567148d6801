#!/usr/bin/env node
// Latency against load: the pipeline paced at fixed rates, lowest first, each for `seconds`, with
// p50 and p99 per rate. Tells a tail made by queueing for two shared cores (it falls with the
// rate) from one the pipeline makes at any rate (it does not).
// `node bench/_lib/latency-curve.mjs [seconds] [users] [rates, comma-separated]` (a file starting
// with `_lib` is not a benchmark; run it with the Node 24 of node_modules after `npx tsc -b`).
import { availableParallelism } from 'node:os';
import { withPacedPipeline } from './pipeline-measure.mjs';

const seconds = Number(process.argv[2] ?? 6);
const userCount = Number(process.argv[3] ?? 100_000);
const rates = (process.argv[4] ?? '100,250,500,1000,1500').split(',').map(Number);
if (rates.some((rate) => !(rate > 0))) throw new Error(`rates must be positive numbers, comma-separated: ${process.argv[4]}`);

const curve = await withPacedPipeline({ userCount, log: (line) => console.error(`[latency-curve] ${line}`) }, async ({ drive }) => {
  const points = [];
  for (const rate of rates) {
    console.error(`[latency-curve] ${rate}/s for ${seconds} s`);
    const run = await drive(rate, seconds);
    points.push({ rate, achievedPerSec: run.perSec, p50Ms: run.p50Ms, p99Ms: run.p99Ms, counts: run.counts });
  }
  return points;
});
console.log(JSON.stringify({ diagnostic: 'latency-curve', seconds, users: userCount, cores: availableParallelism(), curve }));
