import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { acquireInstanceLock } from '@pm/lock';
import { loadConfig } from '../config/load.js';
import type { OrchestratorEvent } from '../supervisor/events.js';
import { createOrchestrator } from '../supervisor/orchestrator.js';
import type { Logger } from '../logger.js';
import { createMonitor } from '../monitor/monitor.js';
import { UsageSampler } from '../monitor/usage-sampler.js';
import { ensurePmHome } from '../safe-fs/safe-folder.js';
import { writeFileAtomic } from './atomic-write.js';
import { startControlApi, type ControlApi } from './http-api.js';
import { jsonLogger } from './json-logger.js';
import { pmPaths } from './paths.js';
import { RotatingWriter } from './rotating-writer.js';
import { startSocketServer } from './socket-server.js';
import { StateStore } from './state-store.js';
import { persistState, recoverPrevious } from './state-sync.js';

/** An app event as daemon log fields: its `pid` becomes `appPid`, so it never passes for the daemon's own. */
function logFields(event: OrchestratorEvent): object {
  if (!('pid' in event)) return event;
  const { pid, ...rest } = event;
  return { ...rest, appPid: pid };
}

/** Options of {@link runDaemon}. */
export interface RunDaemonOptions {
  /** The config file to supervise. */
  configFile: string;
  /** Environment (PM_HOME). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Ms with nothing left to supervise before the daemon exits. @default 1000 */
  idleExitDelay?: number;
  /** Size at which the daemon's own log rotates, in bytes. @default 5 MiB */
  logMaxSize?: number;
}

/**
 * Runs the per-project daemon until nothing is left to supervise (or SIGTERM/SIGINT, which stop
 * every app). Resolves with the exit code for the CLI entry to use; never exits the process itself.
 */
export async function runDaemon(options: RunDaemonOptions): Promise<number> {
  const env = options.env ?? process.env;
  const paths = pmPaths(dirname(options.configFile), env);
  ensurePmHome(paths); // before any file is opened there: refuses a PM_HOME other users can write
  const writer = new RotatingWriter(paths.daemonLog, options.logMaxSize ?? 5 * 1024 * 1024, 3);
  const logger: Logger = jsonLogger(writer, env.PROCESS_MANAGER_DEBUG === 'true' ? 'debug' : 'info', { name: 'pm-daemon' });

  let lock;
  try {
    lock = await acquireInstanceLock({
      name: 'pm-daemon',
      path: paths.lock,
      metadata: { socket: paths.socket, config: options.configFile },
      releaseOnExit: true,
    });
  } catch (error) {
    logger.info({ err: error }, 'another daemon holds the lock; exiting');
    writer.close();
    return (error as { code?: string }).code === 'PM_INSTANCE_RUNNING' ? 0 : 1;
  }

  const { config, warnings } = await loadConfig({ file: options.configFile });
  for (const warning of warnings) logger.warn(warning);
  const store = new StateStore(paths.state);
  const sampler = new UsageSampler(); // shared: status() reuses the monitor's 1 s samples
  const orchestrator = createOrchestrator(config, { logDir: paths.logs, logger, env, sampler });
  const monitor = createMonitor({ orchestrator, sampler, logger });
  await recoverPrevious(orchestrator, store, new Set(config.apps.map((a) => a.name)), logger);
  const state = persistState(orchestrator, store, options.configFile, logger);

  let inFlight = 0;
  let idleTimer: NodeJS.Timeout | null = null;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const supervising = (): boolean => orchestrator.records().some((r) => r.status !== 'stopped' && r.status !== 'errored');
  const checkIdle = (delay = options.idleExitDelay ?? 1000): void => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (inFlight > 0 || supervising()) return;
    idleTimer = setTimeout(() => {
      if (inFlight === 0 && !supervising()) void shutdown(0, 'nothing left to supervise');
    }, delay);
  };

  orchestrator.on((event) => {
    if (event.type === 'output') return;
    if (event.type === 'errored' || event.type === 'start-failed' || event.type === 'restart' || event.type === 'health-failed')
      logger.warn(logFields(event), `${event.app}: ${event.type}`);
    if (event.type === 'health-state' && event.state === 'shutting_down')
      logger.info(logFields(event), `${event.app}: shutting down (reported by @pm/health)`);
    if (event.type === 'status' && (event.status === 'stopped' || event.status === 'errored')) checkIdle();
  });

  const token = randomBytes(24).toString('base64url');
  let control: ControlApi | null = null;
  if (config.dashboard !== false) {
    try {
      control = await startControlApi({
        orchestrator,
        port: config.dashboard.port,
        token,
        logger,
        onActivity: () => checkIdle(),
        monitor: { monitor, metricsToken: config.dashboard.metrics.token },
      });
    } catch (error) {
      logger.warn({ err: error }, `dashboard not started: port ${config.dashboard.port} is unavailable`);
    }
  }
  // Atomic and 0600 even over a file a crashed daemon left (writeFileSync's mode applies only to a
  // new file, and a reader could see it half-written).
  writeFileAtomic(paths.control, JSON.stringify({ pid: process.pid, port: control?.port ?? null, token }), { mode: 0o600 });

  const socketServer = await startSocketServer({
    socketPath: paths.socket,
    home: paths.home,
    orchestrator,
    configFile: options.configFile,
    dashboard: () => (control ? { url: `http://127.0.0.1:${control.port}/#token=${token}`, port: control.port } : null),
    onRequest: {
      begin: () => {
        inFlight++;
        if (idleTimer) clearTimeout(idleTimer);
      },
      end: () => {
        inFlight--;
        checkIdle();
      },
    },
    logger,
  });
  logger.info({ socket: paths.socket, dashboard: control?.port ?? null }, 'daemon ready');

  let shuttingDown: Promise<void> | null = null;
  const shutdown = (code: number, reason: string): Promise<void> => {
    shuttingDown ??= (async () => {
      logger.info({ reason }, 'daemon stopping');
      socketServer.close();
      await control?.close();
      await orchestrator.close();
      monitor.close();
      state.close();
      rmSync(paths.control, { force: true });
      await lock.release();
      logger.info('daemon stopped');
      writer.close();
      resolveExit(code);
    })();
    return shuttingDown;
  };
  const onSignal = (signal: NodeJS.Signals) => void shutdown(0, `received ${signal}`);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', () => undefined); // the terminal that started us may close
  lock.signal.addEventListener('abort', () => void shutdown(1, 'daemon lock lost'));
  checkIdle(10_000); // give the CLI that started us time to send its first command
  const code = await exited;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  return code;
}
