import type { Logger } from '../logger.js';
import type { AppRecord } from '../supervisor/events.js';
import type { Orchestrator } from '../supervisor/orchestrator.js';
import { endLeftover } from './leftovers.js';
import type { StateStore } from './state-store.js';

/**
 * Takes over what a previous supervisor of this project (a daemon, or a `pm run` that was killed) left
 * running: apps still configured are adopted; whatever else a record names that is still the process
 * recorded (the app's tree, its saved strays) is ended, so nothing runs unsupervised. Returns the
 * names adopted.
 */
export async function recoverPrevious(
  orchestrator: Orchestrator,
  store: StateStore,
  configured: ReadonlySet<string>,
  logger: Logger,
): Promise<string[]> {
  const loaded = store.load();
  if (loaded.problem) logger.error({ err: loaded.problem }, loaded.problem.message);
  const previous = loaded.state?.apps ?? [];
  const adopted = await orchestrator.adopt(previous.filter((r) => configured.has(r.name)));
  if (adopted.length > 0) logger.info({ adopted }, 'adopted apps left by the previous supervisor');
  for (const record of previous) {
    if (adopted.includes(record.name)) continue;
    if (await endLeftover(record)) {
      logger.warn({ app: record.name, pid: record.pid }, 'ended processes the previous supervisor left and this config cannot adopt');
    }
  }
  return adopted;
}

/** Keeps the state file in step with an orchestrator; see {@link persistState}. */
export interface StatePersistence {
  /** Writes the state now. */
  save(): void;
  /** Stops following the orchestrator, after one last write. */
  close(): void;
}

/**
 * The orchestrator's records, each with its app's stop settings from the resolved config unless the
 * supervisor already saved them, so a supervisor-less `pm stop` never needs the config file.
 */
export function recordsToSave(orchestrator: Orchestrator): AppRecord[] {
  const stopOf = new Map(orchestrator.config.apps.map((app) => [app.name, app.stop]));
  return orchestrator.records().map((record) => ({ ...record, stop: record.stop ?? stopOf.get(record.name) }));
}

/** Ms between looks at the apps' strays (the supervisor finds them by scanning, with no event). */
export const STRAY_CHECK_INTERVAL = 1_000;

/**
 * Writes the orchestrator's app records to `store` whenever they matter: at once when a process starts
 * or ends (a supervisor killed right after must not lose track of it), other status changes coalesced
 * into one write per 100 ms, and within {@link STRAY_CHECK_INTERVAL} of a change in an app's strays.
 * Write failures are logged, never thrown.
 */
export function persistState(orchestrator: Orchestrator, store: StateStore, configFile: string, logger: Logger): StatePersistence {
  let timer: NodeJS.Timeout | null = null;
  const straysNow = (): string => JSON.stringify(orchestrator.records().map((r) => r.strays ?? []));
  let straysSaved = '';
  const save = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    straysSaved = straysNow();
    try {
      store.save({ version: 1, configFile, daemonPid: process.pid, savedAt: new Date().toISOString(), apps: recordsToSave(orchestrator) });
    } catch (error) {
      logger.error({ err: error }, 'could not write the state file');
    }
  };
  const unsubscribe = orchestrator.on((event) => {
    if (event.type === 'spawn' || event.type === 'exit') save();
    else if (event.type === 'status') timer ??= setTimeout(save, 100);
  });
  const strayCheck = setInterval(() => {
    if (straysNow() !== straysSaved) save();
  }, STRAY_CHECK_INTERVAL);
  strayCheck.unref();
  save();
  return {
    save,
    close() {
      unsubscribe();
      clearInterval(strayCheck);
      save();
    },
  };
}
