import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHealth, createShutdown, type Health, type Shutdown } from '@pm/health';
import { acquireInstanceLock, findPortHolder, type InstanceLock } from '@pm/lock';
import { PortInUseError, ReadyFailedError } from './errors.js';
import { checkServeOptions, isHealth, serveDefaults, type RequestListener, type ServeOptions } from './options.js';

/** What `serve()` started. */
export interface Served {
  /** The `node:http` server the app runs on (set `keepAliveTimeout`, attach WebSockets...). */
  readonly server: Server;
  /** The bound port (the real one when `port: 0`). */
  readonly port: number;
  /** `http://<host>:<port>`, with `localhost` for all-interfaces binds. */
  readonly url: string;
  /** The health registry serving the probes. */
  readonly health: Health;
  /** The instance lock held, or undefined with `lock: false`. */
  readonly lock: InstanceLock | undefined;
  /** The installed graceful shutdown: `addHook()` to close your resources, `shutdown()` to stop now. */
  readonly shutdown: Shutdown;
}

/** Stops accepting and drops every connection: only used when start-up fails, before any traffic matters. */
const closeNow = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/**
 * Runs an Express app as a single, well-behaved instance: acquires the instance lock, binds the port,
 * awaits the app's `ready()`, marks the health registry ready, and installs graceful shutdown
 * (SIGTERM/SIGINT: `/readyz` 503, drain in-flight requests, run hooks, release the lock, exit).
 * @throws InstanceAlreadyRunningError (`PM_INSTANCE_RUNNING`) from `@pm/lock` when another copy runs
 * @throws PortInUseError (`PM_PORT_IN_USE`) when the port is taken; the lock is released first
 * @throws ReadyFailedError (`PM_READY_FAILED`) when `ready()` fails; server closed, lock released
 * @throws InvalidServeOptionsError (`PM_EXPRESS_INVALID_OPTIONS`) listing every problem with `options`
 */
export async function serve(app: RequestListener, options: ServeOptions = {}): Promise<Served> {
  checkServeOptions(app, options);
  const port = options.port ?? serveDefaults.port;
  // Created (and so validated) before the lock is taken: a typo must not leave a lock behind.
  const health = isHealth(options.health) ? options.health : createHealth(options.health ?? {});
  const server = createServer((req, res) => health.handler(req, res, () => app(req, res)));
  const lock = options.lock === false ? undefined : await acquireInstanceLock({ ...options.lock, port: port || null });
  let shutdown: Shutdown | undefined;
  const abandon = async () => {
    shutdown?.uninstall();
    await lock?.release();
  };
  try {
    // Before listen, so every connection is tracked for the drain.
    shutdown = createShutdown({ ...options.shutdown, servers: [server], health, lock });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: options.host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await abandon();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port, await findPortHolder(port), error);
    throw error;
  }
  try {
    await options.ready?.();
  } catch (error) {
    await closeNow(server);
    await abandon();
    throw new ReadyFailedError(error);
  }
  health.setReady();
  const bound = (server.address() as AddressInfo).port;
  const host =
    !options.host || options.host === '0.0.0.0' || options.host === '::'
      ? 'localhost'
      : options.host.includes(':')
        ? `[${options.host}]`
        : options.host;
  return { server, port: bound, url: `http://${host}:${bound}`, health, lock, shutdown };
}
