#!/usr/bin/env node
// `npm run bench -- limit [seconds]`: bare BullMQ on a private Redis (add a job, a worker process
// takes it and publishes the result, the producer receives it), closed loop with 256 in flight.
// The ceiling of the chosen design; `pipeline` runs the same measurement in its own run for
// `pipelineToLimit`. Prints one JSON line last.
import { cpus, loadavg } from 'node:os';
import { measureBullmqLimit } from './_lib/bullmq-limit.mjs';
import { startBenchRedis } from './_lib/system.mjs';

const seconds = Number(process.argv[2] ?? 5);
const redis = await startBenchRedis();
try {
  const limit = await measureBullmqLimit({ redisUrl: redis.url, seconds });
  console.log(JSON.stringify({ bench: 'limit', seconds, ...limit, cores: cpus().length, loadAverage1m: Number(loadavg()[0].toFixed(2)) }));
} finally {
  await redis.stop();
}
