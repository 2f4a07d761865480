export { createHealth, type Health } from './health/create-health.js';
export {
  healthDefaults,
  type HealthOptions,
  type HealthPaths,
  type CheckFunction,
  type CheckOptions,
  type CheckDefinition,
} from './health/options.js';
export type { HealthReport, IetfHealthReport, CheckReport, HealthStatus, LifecycleState } from './health/report.js';
export type { HealthHandler } from './health/handler.js';
export {
  postgresCheck,
  redisCheck,
  httpCheck,
  tcpCheck,
  diskCheck,
  memoryCheck,
  eventLoopCheck,
  pingCheck,
  checkDefaults,
  type PostgresCheckOptions,
  type PostgresQueryable,
  type RedisCheckOptions,
  type RedisClientLike,
  type HttpCheckOptions,
  type TcpCheckOptions,
  type DiskCheckOptions,
  type MemoryCheckOptions,
  type EventLoopCheckOptions,
  type PingCheckOptions,
  type BuiltInCheckOptions,
  type CheckDetails,
} from './checks/index.js';
export { underPressure, underPressureDefaults, type UnderPressureOptions } from './pressure/under-pressure.js';
export type { Pressure, PressureState, PressureReason } from './pressure/pressure.js';
export type { SupervisorMessage } from './health/announce.js';
export { createShutdown, type Shutdown, type ShutdownResult, type HookOutcome } from './shutdown/create-shutdown.js';
export { startServing, type StartServingOptions, type Serving } from './serving/start-serving.js';
export {
  shutdownDefaults,
  type ShutdownOptions,
  type HookFunction,
  type HookOptions,
  type HookDefinition,
  type HookContext,
  type DrainableServer,
  type ShutdownHealth,
  type ReleasableLock,
} from './shutdown/options.js';
export {
  HealthErrorCodes,
  PmHealthError,
  InvalidOptionsError,
  DuplicateNameError,
  CheckFailedError,
  CheckTimeoutError,
  ShutdownHookError,
  ShutdownError,
  type HealthErrorCode,
} from './errors.js';
export type { Logger } from './logger.js';
