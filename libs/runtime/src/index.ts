export type { RoleContext, RoleStarter, RunningRole, RoleName } from './role.js';
export { ROLE_NAMES } from './role.js';
export { createLogger, REDACT_PATHS, type Logger, type LoggerOptions } from './logger.js';
export { createShutdown, ShutdownStepTimeoutError, type Shutdown, type ShutdownStep, type ShutdownStepOptions } from './shutdown.js';
export {
  addStartupGate,
  createReadinessRegistry,
  ReadinessTimeoutError,
  type ReadinessRegistry,
  type ReadinessCheck,
  type ReadinessResult,
  type ReadinessCheckResult,
} from './readiness.js';
export { createMetrics, type Metrics } from './metrics.js';
export { createRedis, redisReadinessCheck, redisConnectionName, RedisAddressError, type RedisClient, type RedisPurposeOptions } from './redis.js';
export { startOpsServer, OpsListenError, type OpsServer, type OpsServerOptions } from './ops-server.js';
export { createRoleContext, newInstanceId, type RoleContextOptions, type RoleContextHandle } from './context.js';
