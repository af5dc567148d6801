#!/usr/bin/env node
// Where the pipeline's CPU goes: runs the pipeline measurement with every role under --cpu-prof,
// then prints each role's self time by package and its top functions.
// `node bench/_lib/profile-pipeline.mjs [seconds] [users] [dir]` (a file starting with `_lib` is
// not a benchmark; run it with the Node 24 of node_modules).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnosePipeline } from './pipeline-measure.mjs';

const { result, dir } = await diagnosePipeline({ defaultDir: '/tmp/rmfa-profiles', env: (out) => ({ NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${out}` }) });
console.log(JSON.stringify({ authPerSec: result.authPerSec, cpuSecondsPer1000Logins: result.cpuSecondsPer1000Logins, redisCommandsPerAuth: result.redisCommandsPerAuth }));

function where(url) {
  if (url.includes('node_modules/')) return url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1');
  if (url.includes('/libs/') || url.includes('/services/')) return url.replace(/.*\/((libs|services)\/[^/]+).*/, '$1');
  return url ? `node:${url.replace(/^node:/, '').split('/')[0]}` : '(native)';
}

for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfTime = new Map();
  let busy = 0;
  profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byPackage = new Map();
  const byFunction = new Map();
  for (const [id, time] of selfTime) {
    const frame = nodes.get(id).callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += time;
    const pkg = where(frame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
    const fn = `${frame.functionName || '(anonymous)'} ${pkg}:${frame.lineNumber}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + time);
  }
  const top = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, time]) => `    ${((100 * time) / busy).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  console.log(`\n${file}: ${(busy / 1e6).toFixed(1)} s busy\n  by package:\n${top(byPackage, 10)}\n  top functions:\n${top(byFunction, 12)}`);
}
