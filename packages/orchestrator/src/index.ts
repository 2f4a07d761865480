export { createOrchestrator, orchestratorDefaults, type Orchestrator, type OrchestratorOptions } from './supervisor/orchestrator.js';
export type { AppStatus, AppStatusInfo, AppRecord, HealthAnnounceState, OrchestratorEvent } from './supervisor/events.js';
export { isReadyMessage } from './supervisor/readiness/index.js';
export { defineConfig } from './config/define.js';
export type {
  PmConfig,
  AppConfig,
  ReadyConfig,
  RestartConfig,
  StopConfig,
  HealthConfig,
  LogsConfig,
  DashboardConfig,
} from './config/types.js';
export { configDefaults } from './config/defaults.js';
export { loadConfig, findConfigFile, configFileNames, type LoadConfigOptions, type LoadedConfig } from './config/load.js';
export { resolveConfig, type ResolvedConfig, type ResolvedApp, type ResolvedReady, type ResolveConfigOptions } from './config/resolve.js';
export { validateConfig } from './config/validate.js';
export { fromPm2Ecosystem, pm2MappedFields, type Pm2Conversion } from './config/pm2.js';
export {
  PmOrchestratorError,
  OrchestratorErrorCodes,
  ConfigInvalidError,
  ConfigNotFoundError,
  ConfigLoadFailedError,
  DependencyCycleError,
  AppNotFoundError,
  StartFailedError,
  StartFailuresError,
  DaemonUnreachableError,
  StateCorruptError,
  UnsafePathError,
  type OrchestratorErrorCode,
  type ConfigProblem,
  type PortHolder,
} from './errors.js';
export { PortInUseError } from './port-in-use-error.js';
export type { Logger } from './logger.js';
