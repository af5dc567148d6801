#!/usr/bin/env node
// What the pipeline's latency tail is made of: runs the pipeline measurement with gc-probe.mjs in
// every role process, then prints per role the garbage collections per second by kind (mean and
// longest pause) and the event-loop delay, over the whole run (closed loop and half the peak).
// `node bench/_lib/probe-pipeline.mjs [seconds] [users] [dir]` (with the Node 24 of node_modules).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnosePipeline } from './pipeline-measure.mjs';
import { percentile, round } from './stats.mjs';

const probe = fileURLToPath(new URL('./gc-probe.mjs', import.meta.url));
const { result, dir } = await diagnosePipeline({ defaultDir: '/tmp/rmfa-gc-probe', env: (out) => ({ NODE_OPTIONS: `--import ${probe}`, GC_PROBE_DIR: out }) });
const roles = {};
for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
  const lines = readFileSync(join(dir, file), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  const gc = {};
  for (const { gc: second } of lines) {
    for (const [kind, s] of Object.entries(second)) {
      const total = (gc[kind] ??= { count: 0, ms: 0, maxMs: 0 });
      total.count += s.count;
      total.ms += s.ms;
      total.maxMs = Math.max(total.maxMs, s.maxMs);
    }
  }
  roles[file.replace('.jsonl', '')] = {
    seconds: lines.length,
    gcPerSecond: Object.fromEntries(Object.entries(gc).map(([kind, t]) => [kind, { perSec: round(t.count / lines.length, 2), meanMs: round(t.ms / t.count, 1), maxMs: round(t.maxMs, 1) }])),
    loopDelayP99MsMedian: round(percentile(lines.map((l) => l.loopP99Ms).sort((a, b) => a - b), 0.5), 1),
    heapMBMax: Math.max(...lines.map((l) => l.heapMB)),
  };
}
console.log(JSON.stringify({ authPerSec: result.authPerSec, halfRate: result.halfRate, p50Ms: result.p50Ms, p99Ms: result.p99Ms, roles }));
