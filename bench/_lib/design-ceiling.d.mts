export interface DesignCeilingInput {
  cores: number;
  authPerSec: number;
  systemCpuPer1000: number;
  generatorCpuPer1000: number;
  limitJobsPerSec: number;
  limitCpuPer1000: number;
  redisCommandsPerAuth: number;
  redisCpuPer1000: number;
  limitRedisCommandsPerJob: number;
  ratioGoal?: number;
}
export interface DesignCeiling {
  coresBusy: number;
  authPerSecIfOnlyBullmq: number;
  pipelineToLimitIfOnlyBullmq: number;
  extraCpuPer1000ForRatioGoal: number;
  extraCpuPer1000Spent: number;
  extraRedisCommandsPerLogin: number;
  extraRedisCpuPer1000: number;
}
export function designCeiling(input: DesignCeilingInput): DesignCeiling;
