// Loaded into a role process with `--import` (see probe-pipeline.mjs): once a second appends one
// JSON line to $GC_PROBE_DIR/<role>-<pid>.jsonl with the event-loop delay (p50, p99, max, ms), the
// heap in use (MB) and the garbage collections of that second by kind (count, total and longest ms).
import { appendFileSync } from 'node:fs';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
};
const ms = (ns) => Number((ns / 1e6).toFixed(2));
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let gc = {};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (gc[KINDS[entry.detail?.kind] ?? 'other'] ??= { count: 0, ms: 0, maxMs: 0 });
    kind.count++;
    kind.ms += entry.duration;
    kind.maxMs = Math.max(kind.maxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });
const roleAt = process.argv.indexOf('--role');
const role = roleAt > 0 ? process.argv[roleAt + 1] : 'process';
const file = `${process.env.GC_PROBE_DIR ?? '/tmp'}/${role}-${process.pid}.jsonl`;
setInterval(() => {
  appendFileSync(file, `${JSON.stringify({ at: Date.now(), loopP50Ms: ms(delay.percentile(50)), loopP99Ms: ms(delay.percentile(99)), loopMaxMs: ms(delay.max), heapMB: Math.round(process.memoryUsage().heapUsed / 1e6), gc })}\n`);
  delay.reset();
  gc = {};
}, 1000).unref();
