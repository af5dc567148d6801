import { describe, expect, it } from 'vitest';
import { designCeiling } from '../bench/_lib/design-ceiling.mjs';

// The figures of one `npm run bench -- all --write` run (BENCHMARKS.md, 2026-11-22).
const run = {
  cores: 2,
  authPerSec: 2794,
  systemCpuPer1000: 0.514,
  generatorCpuPer1000: 0.1,
  limitJobsPerSec: 8121,
  limitCpuPer1000: 0.193,
  redisCommandsPerAuth: 51.42,
  redisCpuPer1000: 0.176,
  limitRedisCommandsPerJob: 33.05,
};

describe('designCeiling', () => {
  it('bounds the rate by every core spent on bare BullMQ and the load generator', () => {
    const ceiling = designCeiling(run);
    // 2 cores × 1000 / (0.193 + 0.1) CPU-s per 1,000 logins.
    expect(ceiling.authPerSecIfOnlyBullmq).toBe(6826);
    // The pipeline kept 2794 × (0.514 + 0.1) / 1000 cores busy.
    expect(ceiling.coresBusy).toBe(1.72);
    // On those cores a system costing only BullMQ: 1.7155 × 1000 / 0.293 = 5855/s, over 8121/s.
    expect(ceiling.pipelineToLimitIfOnlyBullmq).toBe(0.72);
  });

  it('says what the ratio goal leaves for the work beyond BullMQ, and what that work spends', () => {
    const ceiling = designCeiling(run);
    // 0.6 × 8121 logins/s on 1.7155 cores: (0.352 − 0.1) CPU-s per 1,000 for the system, 0.193 of it BullMQ's.
    expect(ceiling.extraCpuPer1000ForRatioGoal).toBe(0.059);
    expect(ceiling.extraCpuPer1000Spent).toBe(0.321);
    // 18.37 commands beyond BullMQ's, at 0.176 / 51.42 CPU-s per 1,000 commands.
    expect(ceiling.extraRedisCommandsPerLogin).toBe(18.37);
    expect(ceiling.extraRedisCpuPer1000).toBe(0.063);
  });

  it('a system that costs what bare BullMQ costs sits at its own ceiling', () => {
    const ceiling = designCeiling({ ...run, systemCpuPer1000: run.limitCpuPer1000, authPerSec: 6000 });
    expect(ceiling.extraCpuPer1000Spent).toBe(0);
    expect(ceiling.pipelineToLimitIfOnlyBullmq).toBe(Number((6000 / run.limitJobsPerSec).toFixed(2)));
  });

  it('finds the rate goal within reach on a host with more cores', () => {
    expect(designCeiling({ ...run, cores: 4 }).authPerSecIfOnlyBullmq).toBeGreaterThanOrEqual(10_000);
  });

  it('goes negative when a load generator this costly leaves nothing for the ratio goal', () => {
    expect(designCeiling({ ...run, generatorCpuPer1000: 0.4, authPerSec: 2000 }).extraCpuPer1000ForRatioGoal).toBeLessThan(0);
  });
});
