#!/usr/bin/env node
// What a flood costs the ingress: one ingress (its own Redis) under the fault test's two flooders
// (bench/_lib/flood.mjs: random datagrams, framed garbage, wrong-secret requests, one from the
// client's address and one from an unknown one) for `seconds`, then the datagrams sent, the share
// the ingress read and dropped (the rest the kernel dropped, its receive queue full), and the
// ingress's CPU per dropped datagram. `node bench/_lib/flood-cost.mjs [seconds]` (Node 24 of
// node_modules). With NODE_OPTIONS="--cpu-prof --cpu-prof-dir=DIR" the ingress is profiled too.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { cpuMeter } from './process-cpu.mjs';
import { round } from './stats.mjs';
import { benchClient, metricValue, newSealingKey, startBenchRedis, startSystem, systemConfigYaml } from './system.mjs';

const seconds = Number(process.argv[2] ?? 8);
const redis = await startBenchRedis();
try {
  const system = await startSystem({
    configYaml: systemConfigYaml({ redisUrl: redis.url, sealingKey: newSealingKey(), clients: [benchClient(randomBytes(16).toString('hex'), { address: '127.0.0.1/32' })] }),
    roles: ['ingress'],
    ...(process.env.NODE_OPTIONS && { env: { NODE_OPTIONS: process.env.NODE_OPTIONS } }),
    output: 'ignore',
  });
  try {
    const [ingress] = system.byRole('ingress');
    const meter = cpuMeter({ ingress: ingress.pid });
    const flood = fileURLToPath(new URL('./flood.mjs', import.meta.url));
    const flooders = ['127.0.0.1', '127.0.0.9'].map((address) => {
      const child = spawn(process.execPath, [flood, String(ingress.ports.radius), String(seconds), address], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout.on('data', (data) => (output += data));
      return once(child, 'exit').then(() => JSON.parse(output).sent);
    });
    const sent = (await Promise.all(flooders)).reduce((a, b) => a + b, 0);
    const cpuSeconds = meter.read().ingress;
    const dropped = await metricValue(ingress.ports.ops, 'radius_packets_dropped_total');
    console.log(JSON.stringify({ seconds, sent, droppedByIngress: dropped, readShare: round(dropped / sent, 3), ingressCpuSeconds: round(cpuSeconds), microsecondsPerDrop: round((cpuSeconds / dropped) * 1e6) }));
  } finally {
    await system.stop();
  }
} finally {
  await redis.stop();
}
