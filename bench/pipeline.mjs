#!/usr/bin/env node
// `npm run bench -- pipeline [seconds] [users]`: the whole system on this host (Redis, ingress,
// worker, results-api, each its own process) under a closed-loop RADIUS load of TOTP logins
// (client `firstFactor: none`, `prompt: append`, the bare code `123456` in User-Password, Message-Authenticator
// on, every response verified), then paced at half the peak for p50/p99. In the same run: bare
// BullMQ on the same Redis (`limit`, for pipelineToLimit) and argon2id verification at argon2's
// default cost (`firstFactorPerSec`: a deliberately slow hash is not pipeline cost).
// Prints one JSON line last.
import { cpus, loadavg } from 'node:os';
import { measureArgon2id } from './_lib/argon2-rate.mjs';
import { measureBullmqLimit } from './_lib/bullmq-limit.mjs';
import { designCeiling } from './_lib/design-ceiling.mjs';
import { measurePipeline } from './_lib/pipeline-measure.mjs';
import { round } from './_lib/stats.mjs';
import { startBenchRedis } from './_lib/system.mjs';

const seconds = Number(process.argv[2] ?? 8);
const userCount = Number(process.argv[3] ?? 200_000);
const log = (message) => console.error(`[pipeline] ${message}`);

const redis = await startBenchRedis();
try {
  log(`limit: bare BullMQ for ${seconds} s`);
  const limit = await measureBullmqLimit({ redisUrl: redis.url, seconds });
  const pipeline = await measurePipeline({ redisUrl: redis.url, seconds, userCount, log });
  log('argon2id at default cost');
  const firstFactor = await measureArgon2id({ seconds: 3 });

  const cpu = pipeline.cpuSecondsPer1000Logins;
  const systemCpuPer1000 = cpu.ingress + cpu.worker + cpu.results + cpu.redis;
  const limitCpuPer1000 = limit.cpuSecondsPer1000.producer + limit.cpuSecondsPer1000.worker + limit.cpuSecondsPer1000.redis;
  const pipelineToLimit = pipeline.authPerSec / limit.jobsPerSec;
  const ceiling = designCeiling({
    cores: cpus().length,
    authPerSec: pipeline.authPerSec,
    systemCpuPer1000,
    generatorCpuPer1000: cpu.generator,
    limitJobsPerSec: limit.jobsPerSec,
    limitCpuPer1000,
    redisCommandsPerAuth: pipeline.redisCommandsPerAuth,
    redisCpuPer1000: cpu.redis,
    limitRedisCommandsPerJob: limit.redisCommandsPerJob,
  });
  console.log(
    JSON.stringify({
      bench: 'pipeline',
      seconds,
      ...pipeline,
      limitJobsPerSec: limit.jobsPerSec,
      pipelineToLimit: round(pipelineToLimit),
      // The same ratio from CPU cost per login rather than wall-clock rate: steadier on a shared machine.
      pipelineToLimitByCpu: round(limitCpuPer1000 / systemCpuPer1000),
      limit,
      // The design's ceiling in this run: what a pipeline whose own work cost nothing beyond bare
      // BullMQ would reach, and what the ratio goal leaves for that work (docs/benchmarks.md).
      ceiling,
      firstFactorPerSec: firstFactor.perSec,
      firstFactor,
      goals: {
        // reachableHere: whether even a system that cost only what bare BullMQ costs would meet it.
        authPerSec: { goal: 10_000, met: pipeline.authPerSec >= 10_000, reachableHere: ceiling.authPerSecIfOnlyBullmq >= 10_000 },
        pipelineToLimit: { goal: 0.6, met: pipelineToLimit >= 0.6 },
        p99MsAtHalfPeak: { goal: 10, met: pipeline.p99Ms <= 10 },
      },
      cores: cpus().length,
      loadAverage1m: Number(loadavg()[0].toFixed(2)),
    }),
  );
} finally {
  await redis.stop();
}
