export { PmModule } from './pm.module.js';
export { PmService } from './pm.service.js';
export { PmChecks } from './pm-checks.js';
export { PmCheck, PmInfo } from './decorators.js';
export { serve, serveDefaults, type ServeOptions, type Served } from './serve.js';
export { pmModuleDefaults, type PmModuleOptions, type PmModuleRootOptions, type PmModuleAsyncOptions } from './options.js';
export {
  NestErrorCodes,
  PmNestError,
  InvalidPmOptionsError,
  PmModuleMissingError,
  PortInUseError,
  type NestErrorCode,
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
// The same factories as plain functions, for `PmModule.forRoot({ health: { checks, pressure } })` and `forRootAsync` factories.
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
