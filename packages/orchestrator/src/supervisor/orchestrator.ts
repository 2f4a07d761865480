import { EventEmitter, on } from 'node:events';
import { join } from 'node:path';
import { dependenciesOf } from '../config/graph.js';
import { isResolvedConfig, resolveConfig, type ResolvedConfig } from '../config/resolve.js';
import type { PmConfig } from '../config/types.js';
import { AppNotFoundError, StartFailuresError } from '../errors.js';
import { defaultLogger, type Logger } from '../logger.js';
import { UsageSampler } from '../monitor/usage-sampler.js';
import { AppSupervisor } from './app.js';
import type { AppRecord, AppStatusInfo, OrchestratorEvent } from './events.js';

/** Options of {@link createOrchestrator}. */
export interface OrchestratorOptions {
  /** Folder of the per-app log files (`<name>.log`). @default `<config folder>/.pm/logs` (or `$PM_HOME/logs`) */
  logDir?: string;
  /** Environment the apps inherit (each app's `env` is merged over it). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Read the apps' output and emit it as `output` events (what `pm run` prints). @default false */
  output?: boolean;
  /** pino-compatible logger. @default silent; pino-format JSON lines on stderr when env PROCESS_MANAGER_DEBUG=true */
  logger?: Logger;
  /** Ms between log-file polls (rotation checks, and output when `output` is on). @default 500 */
  logPollInterval?: number;
  /**
   * Reads the apps' cpu and memory for `status()`; the daemon passes the one its history sampler
   * reads, so a status asked for between two samples reuses the last one. @default a sampler of its own
   */
  sampler?: UsageSampler;
}

/** Defaults of {@link OrchestratorOptions}. */
export const orchestratorDefaults = { output: false, logPollInterval: 500 } as const;

/** Ms a usage sample stays fresh enough for `status()`: under the daemon's 1 s sampling period. */
const STATUS_SAMPLE_MAX_AGE = 900;

/** A running supervisor for one config. Create it with {@link createOrchestrator}. */
export interface Orchestrator {
  /** The resolved config (apps in dependency order). */
  readonly config: ResolvedConfig;
  /** Starts the named apps (default all) and their dependencies, each after its dependencies are ready. Resolves when all are ready; once every start has settled, rejects with the StartFailedError / PortInUseError of the app that failed, or a StartFailuresError listing each when several did. */
  start(names?: string[]): Promise<void>;
  /** Stops the named apps (default all) in reverse dependency order; resolves when their trees are gone. */
  stop(names?: string[]): Promise<void>;
  /** Restarts the named apps (default all) one at a time in dependency order, each ready before the next. */
  restart(names?: string[]): Promise<void>;
  /** The status of every app, with cpu % and rss sampled now. */
  status(): Promise<AppStatusInfo[]>;
  /** Per-app records to persist, so a later orchestrator can {@link Orchestrator.adopt} the processes. */
  records(): AppRecord[];
  /** Takes over processes a previous supervisor left (same pid and start time); returns the names adopted. */
  adopt(records: AppRecord[]): Promise<string[]>;
  /** Path of an app's log file. */
  logFile(name: string): string;
  /** Subscribes to every event; returns an unsubscriber. */
  on(listener: (event: OrchestratorEvent) => void): () => void;
  /** Every event as an async iterator, until `signal` aborts. */
  events(signal?: AbortSignal): AsyncIterable<OrchestratorEvent>;
  /** Stops every app and releases timers and watchers. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates a supervisor for a config (a {@link PmConfig} object, validated here, or a resolved one
 * from `loadConfig`/`resolveConfig`, taken as it is; any other object is validated as a PmConfig).
 * Nothing starts until `start()`.
 */
export function createOrchestrator(config: PmConfig | ResolvedConfig, options: OrchestratorOptions = {}): Orchestrator {
  const resolved: ResolvedConfig = isResolvedConfig(config) ? config : resolveConfig(config);
  const logger = defaultLogger(options.logger);
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const logDir = options.logDir ?? join(process.env.PM_HOME ?? join(resolved.baseDir, '.pm'), 'logs');
  const emit = (event: OrchestratorEvent): void => {
    if (event.type !== 'output') logger.debug(event, `${event.app}: ${event.type}`);
    emitter.emit('event', event);
  };
  const ctx = { logDir, env: options.env ?? process.env, logger, emit, output: options.output ?? orchestratorDefaults.output };
  const apps = new Map(resolved.apps.map((app) => [app.name, new AppSupervisor(app, ctx)]));
  const order = resolved.apps.map((a) => a.name);
  const sampler = options.sampler ?? new UsageSampler();
  let poller: NodeJS.Timeout | null = null;
  let closed: Promise<void> | null = null;

  const ensurePoller = (): void => {
    if (poller) return;
    poller = setInterval(() => {
      for (const app of apps.values()) app.log.poll();
    }, options.logPollInterval ?? orchestratorDefaults.logPollInterval);
    poller.unref();
  };

  const pick = (names?: string[]): string[] => {
    if (!names || names.length === 0 || (names.length === 1 && names[0] === 'all')) return order;
    for (const n of names) if (!apps.has(n)) throw new AppNotFoundError(n, order);
    return order.filter((n) => names.includes(n));
  };
  const get = (name: string): AppSupervisor => apps.get(name)!;

  const orchestrator: Orchestrator = {
    config: resolved,

    async start(names) {
      const wanted = new Set(pick(names));
      for (const n of [...wanted]) for (const d of dependenciesOf(resolved.apps, n)) wanted.add(d);
      ensurePoller();
      const started = new Map<string, Promise<void>>();
      for (const name of order) {
        if (!wanted.has(name)) continue;
        const deps = get(name).app.dependsOn.map((d) => started.get(d)!);
        const promise = Promise.all(deps).then(() => get(name).start());
        promise.catch(() => undefined); // observed through Promise.all below
        started.set(name, promise);
      }
      // Every start settles before this answers, so the user learns of every failure, not the first.
      const results = await Promise.allSettled(started.values());
      // A dependent rejects with its dependency's error: the same object, counted once.
      const failures = [...new Set(results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : [])))];
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw new StartFailuresError(failures);
    },

    async stop(names) {
      const wanted = new Set(pick(names));
      const stopped = new Map<string, Promise<void>>();
      for (const name of [...order].reverse()) {
        if (!wanted.has(name)) continue;
        // Dependents stop first.
        const dependents = order.filter((n) => wanted.has(n) && get(n).app.dependsOn.includes(name)).map((n) => stopped.get(n)!);
        const promise = Promise.all(dependents).then(() => get(name).stop());
        stopped.set(name, promise);
      }
      await Promise.all(stopped.values());
    },

    async restart(names) {
      ensurePoller();
      for (const name of pick(names)) {
        if (get(name).pid !== null) emit({ type: 'restart-requested', app: name, time: Date.now() });
        await get(name).restart();
      }
    },

    async status() {
      const list = order.map(get);
      const pids = list.map((a) => a.pid).filter((p): p is number => p !== null);
      // A sample under STATUS_SAMPLE_MAX_AGE old (the daemon samples every second) is reused.
      const usage = await sampler.sample(pids, STATUS_SAMPLE_MAX_AGE);
      const now = Date.now();
      return list.map((a) => {
        const u = a.pid !== null ? usage.get(a.pid) : undefined;
        return {
          name: a.app.name,
          status: a.status,
          pid: a.pid,
          restarts: a.restarts,
          uptime: a.pid !== null && a.startedAt !== null ? Math.round((now - a.startedAt) / 1000) : 0,
          cpu: u ? Math.round(u.cpu * 10) / 10 : null,
          memory: u ? u.memory : null,
          port: a.port,
        };
      });
    },

    records() {
      return order.map((n) => get(n).record());
    },

    async adopt(records) {
      const adopted: string[] = [];
      for (const record of records) {
        const app = apps.get(record.name);
        if (app && (await app.adopt(record))) adopted.push(record.name);
      }
      if (adopted.length > 0) ensurePoller();
      return adopted;
    },

    logFile(name) {
      if (!apps.has(name)) throw new AppNotFoundError(name, order);
      return get(name).log.path;
    },

    on(listener) {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },

    async *events(signal) {
      try {
        for await (const [event] of on(emitter, 'event', { signal })) yield event as OrchestratorEvent;
      } catch (error) {
        if ((error as Error).name !== 'AbortError') throw error;
      }
    },

    close() {
      closed ??= (async () => {
        await orchestrator.stop();
        if (poller) clearInterval(poller);
        poller = null;
        sampler.clear();
        for (const app of apps.values()) app.dispose();
      })();
      return closed;
    },
  };
  return orchestrator;
}
