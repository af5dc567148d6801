#!/usr/bin/env node
// `npm run bench -- NAME [args]` runs bench/NAME.mjs (each prints one JSON line last).
// `npm run bench -- all --write` runs every benchmark and rewrites BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, loadavg, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && !f.startsWith('_'))
  .map((f) => f.replace(/\.mjs$/, ''))
  .sort();
const [name, ...rest] = process.argv.slice(2);

if (!name || name === '--help') {
  console.log(`usage: npm run bench -- NAME [args]   (NAME: ${available.join(', ')}, or all [--write])`);
  process.exit(name ? 0 : 2);
}

function runOne(bench, args) {
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, `${bench}.mjs`), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(result.stdout);
  const last = result.stdout.trim().split('\n').pop() ?? '';
  let json;
  try {
    json = JSON.parse(last);
  } catch {
    json = { error: `no JSON line (exit ${result.status})` };
  }
  return { status: result.status ?? 1, json };
}

function machine() {
  const cpu = cpus();
  return {
    cpu: `${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage1m: Number(loadavg()[0].toFixed(2)),
    node: process.version,
    kernel: release(),
    date: new Date().toISOString(),
  };
}

if (name === 'all') {
  const write = rest.includes('--write');
  const results = {};
  let failed = 0;
  for (const bench of available) {
    console.error(`\n== bench ${bench}`);
    const { status, json } = runOne(bench, []);
    results[bench] = json;
    if (status !== 0) failed++;
  }
  const summary = { machine: machine(), results };
  if (write) {
    const lines = [
      '# Benchmarks',
      '',
      'Written by `npm run bench -- all --write`. Figures are from one run on a shared, noisy machine:',
      'compare ratios measured in the same run, not absolute numbers across runs.',
      '',
      '## Machine',
      '',
      ...Object.entries(summary.machine).map(([k, v]) => `- ${k}: ${v}`),
      '',
      ...Object.entries(results).flatMap(([bench, json]) => ['## ' + bench, '', '```json', JSON.stringify(json, null, 2), '```', '']),
    ];
    writeFileSync(join(here, '..', 'BENCHMARKS.md'), lines.join('\n'));
  }
  console.log(JSON.stringify(summary));
  process.exit(failed ? 1 : 0);
}

if (!available.includes(name)) {
  console.error(`unknown benchmark "${name}"; available: ${available.join(', ')}`);
  process.exit(2);
}
process.exit(runOne(name, rest).status);
