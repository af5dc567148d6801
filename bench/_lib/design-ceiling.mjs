// What a run says about the design's ceiling: the rate the pipeline would reach on the CPU it used
// if everything it does beyond bare BullMQ (RADIUS, admission, MFA, verdicts, audit) cost nothing,
// and how much CPU that work may cost for the pipelineToLimit goal to be met. All from figures
// measured in the same run: CPU seconds per 1,000 logins (or jobs) and the rates.
import { round } from './stats.mjs';

/**
 * - `coresBusy`: the CPU the pipeline used at its peak (system and load generator together).
 * - `authPerSecIfOnlyBullmq`: the rate on every core of the host, each busy all the time, if the
 *   system cost what bare BullMQ costs per job; the load generator (the NASes, on the same host as
 *   the goals require) still costs its own. No design built on BullMQ passes it here.
 * - `pipelineToLimitIfOnlyBullmq`: the rate such a system would reach on the cores this run's
 *   pipeline kept busy, over bare BullMQ's.
 * - `extraCpuPer1000ForRatioGoal`: the CPU per 1,000 logins the system may spend beyond bare
 *   BullMQ's for `pipelineToLimit` to reach `ratioGoal` on the same cores (negative: not even a
 *   system that cost only BullMQ would).
 * - `extraRedisCommandsPerLogin`, `extraRedisCpuPer1000`: the Redis commands the pipeline runs
 *   beyond bare BullMQ's per job, and their cost at the pipeline's own Redis CPU per command.
 */
export function designCeiling({ cores, authPerSec, systemCpuPer1000, generatorCpuPer1000, limitJobsPerSec, limitCpuPer1000, redisCommandsPerAuth, redisCpuPer1000, limitRedisCommandsPerJob, ratioGoal = 0.6 }) {
  const coresBusy = (authPerSec * (systemCpuPer1000 + generatorCpuPer1000)) / 1000;
  const perCore = 1000 / (limitCpuPer1000 + generatorCpuPer1000);
  const onlyBullmq = coresBusy * perCore;
  const systemBudget = (coresBusy * 1000) / (ratioGoal * limitJobsPerSec) - generatorCpuPer1000;
  const extraCommands = redisCommandsPerAuth - limitRedisCommandsPerJob;
  return {
    coresBusy: round(coresBusy),
    authPerSecIfOnlyBullmq: Math.round(cores * perCore),
    pipelineToLimitIfOnlyBullmq: round(onlyBullmq / limitJobsPerSec),
    extraCpuPer1000ForRatioGoal: round(systemBudget - limitCpuPer1000, 3),
    extraCpuPer1000Spent: round(systemCpuPer1000 - limitCpuPer1000, 3),
    extraRedisCommandsPerLogin: round(extraCommands),
    extraRedisCpuPer1000: round((extraCommands * redisCpuPer1000) / redisCommandsPerAuth, 3),
  };
}
