import type { InstanceAlreadyRunningError, InstanceLock } from '@pm/lock';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { PmPaths } from '../daemon/paths.js';
import type { Logger } from '../logger.js';
import { ensurePmHome } from '../safe-fs/safe-folder.js';
import { createOrchestrator, type Orchestrator, type OrchestratorOptions } from '../supervisor/orchestrator.js';
import { acquireSupervisorLock } from './lock.js';
import { onSignals } from './signals.js';
import { StateStore } from './state-store.js';
import { persistState, recoverPrevious } from './state-sync.js';

/** Options of {@link openSession}. */
export interface OpenSessionOptions {
  /** The config file to supervise. */
  configFile: string;
  /** The project's PM_HOME files. */
  paths: PmPaths;
  /** Recorded in the lock, so `pm stop` and `pm start` can tell the user which supervisor holds it. */
  mode: 'daemon' | 'run';
  /** Extra fields for the lock record. @default {} */
  lockMetadata?: Record<string, unknown>;
  /** Environment the apps inherit and the config loader reads. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Where recovery and state-file problems are reported. */
  logger: Logger;
  /** Called with the config's warnings (ignored PM2 fields) right after it loads. @default none */
  onWarning?: (warning: string) => void;
  /** Orchestrator options besides `logDir` and `env`, which come from the session. @default {} */
  orchestrator?: Omit<OrchestratorOptions, 'logDir' | 'env'>;
}

/** One supervisor of a project, holding its lock: what a daemon and a foreground `pm run` share. */
export interface Session {
  readonly config: ResolvedConfig;
  readonly orchestrator: Orchestrator;
  readonly lock: InstanceLock;
  /** Apps a previous supervisor left running that this session adopted. */
  readonly adopted: readonly string[];
  /** Calls `handler` on these signals until {@link Session.close}. */
  onSignals(signals: readonly NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void): void;
  /** Writes the state one last time, removes the signal handlers and releases the lock. Does not stop the apps. Idempotent. */
  close(): Promise<void>;
}

/** Result of {@link openSession}: the session, or the error naming the supervisor that already runs the project. */
export type SessionOpening = { session: Session; running?: undefined } | { session?: undefined; running: InstanceAlreadyRunningError };

/**
 * Opens a supervisor session: takes the project's supervisor lock, loads the config (bounded in time),
 * creates the orchestrator, takes over what a previous supervisor left (adopt or end), and keeps the
 * state file in step. Nothing is started. A config that fails to load releases the lock and throws.
 */
export async function openSession(options: OpenSessionOptions): Promise<SessionOpening> {
  const { paths, configFile, logger } = options;
  const env = options.env ?? process.env;
  ensurePmHome(paths); // refuses a PM_HOME other users could write, before anything is opened there
  const taken = await acquireSupervisorLock({ paths, mode: options.mode, metadata: { ...options.lockMetadata, config: configFile } });
  if (!taken.lock) return { running: taken.running };
  const lock = taken.lock;
  let config: ResolvedConfig;
  try {
    const loaded = await loadConfig({ file: configFile, env });
    for (const warning of loaded.warnings) options.onWarning?.(warning);
    config = loaded.config;
  } catch (error) {
    await lock.release();
    throw error;
  }
  const orchestrator = createOrchestrator(config, { ...options.orchestrator, logDir: paths.logs, env });
  const store = new StateStore(paths.state);
  const adopted = await recoverPrevious(orchestrator, store, new Set(config.apps.map((a) => a.name)), logger);
  const state = persistState(orchestrator, store, configFile, logger);
  const disposers: (() => void)[] = [];
  let closed: Promise<void> | null = null;
  return {
    session: {
      config,
      orchestrator,
      lock,
      adopted,
      onSignals(signals, handler) {
        disposers.push(onSignals(signals, handler));
      },
      close() {
        closed ??= (async () => {
          state.close();
          for (const dispose of disposers.splice(0)) dispose();
          await lock.release();
        })();
        return closed;
      },
    },
  };
}
