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
