export { serve, type Served } from './serve.js';
export { healthMiddleware, type HealthMiddleware } from './middleware.js';
export { serveDefaults, type ServeOptions, type RequestListener } from './options.js';
export {
  ExpressErrorCodes,
  PmExpressError,
  InvalidServeOptionsError,
  PortInUseError,
  ReadyFailedError,
  type ExpressErrorCode,
  type PortHolder,
} from './errors.js';
// Re-exported so an app that installs only this adapter can name the lock's refusal and print its box.
export {
  InstanceAlreadyRunningError,
  formatInstanceRunningMessage,
  type FormatInstanceRunningOptions,
  type HolderRecord,
  type InstanceLock,
} from '@pm/lock';
// The built-in checks and load shedding of @pm/health, re-exported so an Express app needs one import:
// `serve(app, { health: { checks: { db: postgresCheck(pool) }, pressure: underPressure({ ... }) } })`.
export {
  postgresCheck,
  redisCheck,
  httpCheck,
  tcpCheck,
  diskCheck,
  memoryCheck,
  eventLoopCheck,
  pingCheck,
  underPressure,
  type PostgresCheckOptions,
  type RedisCheckOptions,
  type HttpCheckOptions,
  type TcpCheckOptions,
  type DiskCheckOptions,
  type MemoryCheckOptions,
  type EventLoopCheckOptions,
  type PingCheckOptions,
  type UnderPressureOptions,
} from '@pm/health';
