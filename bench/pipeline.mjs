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
      firstFactorPerSec: firstFactor.perSec,
      firstFactor,
      goals: {
        authPerSec: { goal: 10_000, met: pipeline.authPerSec >= 10_000 },
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
