import type { Logger } from '../logger.js';
import type { OrchestratorEvent } from './events.js';

/** What an app's supervisor (and each of its runs) needs from its orchestrator. */
export interface AppContext {
  logDir: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  emit(event: OrchestratorEvent): void;
  /** Whether output lines should be read and emitted as `output` events. */
  output: boolean;
}
