import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OrchestratorEvent } from '../supervisor/events.js';
import type { Logger } from '../logger.js';
import { createMonitor } from '../monitor/monitor.js';
import { UsageSampler } from '../monitor/usage-sampler.js';
import { ensurePmHome } from '../safe-fs/safe-folder.js';
import { openSession } from '../session/session.js';
import { writeFileAtomic } from './atomic-write.js';
import { startControlApi, type ControlApi } from './http-api.js';
import { jsonLogger } from './json-logger.js';
import { pmPaths } from './paths.js';
import { RotatingWriter } from './rotating-writer.js';
import { startSocketServer } from './socket-server.js';

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

  const sampler = new UsageSampler(); // shared: status() reuses the monitor's 1 s samples
  let opening;
  try {
    opening = await openSession({
      configFile: options.configFile,
      paths,
      mode: 'daemon',
      lockMetadata: { socket: paths.socket },
      env,
      logger,
      onWarning: (warning) => logger.warn(warning),
      orchestrator: { logger, sampler },
    });
  } catch (error) {
    // The CLI that started us shows the end of this log.
    logger.error({ err: error }, (error as Error)?.message ?? String(error));
    writer.close();
    return 1;
  }
  if (!opening.session) {
    logger.info({ err: opening.running }, 'another supervisor holds the lock; exiting');
    writer.close();
    return 0;
  }
  const { session } = opening;
  const { config, orchestrator } = session;
  // Created after recovery: adopting the previous daemon's apps is in the daemon log, not in their history.
  const monitor = createMonitor({ orchestrator, sampler, logger });

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
      rmSync(paths.control, { force: true });
      await session.close();
      logger.info('daemon stopped');
      writer.close();
      resolveExit(code);
    })();
    return shuttingDown;
  };
  session.onSignals(['SIGTERM', 'SIGINT'], (signal) => void shutdown(0, `received ${signal}`));
  session.onSignals(['SIGHUP'], () => undefined); // the terminal that started us may close
  session.lock.signal.addEventListener('abort', () => void shutdown(1, 'daemon lock lost'));
  checkIdle(10_000); // give the CLI that started us time to send its first command
  return exited;
}
