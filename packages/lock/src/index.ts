export { acquireInstanceLock } from './acquire.js';
export { inspectInstanceLock, type InspectInstanceLockOptions } from './inspect.js';
export type { InstanceLock } from './instance-lock.js';
export { lockDefaults, type AcquireInstanceLockOptions } from './options.js';
export type { HolderRecord } from './record.js';
export {
  PmLockError,
  InstanceAlreadyRunningError,
  LockUnwritableError,
  LockCompromisedError,
  InvalidLockOptionsError,
  LockBackendUnavailableError,
  LockErrorCodes,
  type LockErrorCode,
} from './errors.js';
export { formatInstanceRunningMessage, type FormatInstanceRunningOptions } from './format.js';
export { fileBackend, fileBackendDefaults, type FileBackendOptions, type FileExclusion } from './file/file-backend.js';
export type { LockBackend, BackendHandle, BackendRequest, TryAcquireResult, InspectResult } from './backend.js';
export type { Logger } from './logger.js';
export { describePortHolder, findPortHolder, type PortHolder } from './port-holder.js';
