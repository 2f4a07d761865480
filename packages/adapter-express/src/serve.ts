import { createServer, type Server } from 'node:http';
import { isAddressInUse } from '@pm/kernel/port-in-use';
import { createHealth, startServing, type Health, type Shutdown } from '@pm/health';
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

/**
 * Runs an Express app as a single, well-behaved instance through `@pm/health`'s `startServing`:
 * acquires the instance lock (recording the port; with `port: 0`, the port bound), installs graceful
 * shutdown, binds the port, awaits the app's `ready()`, marks the health registry ready
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
  const lockOptions = options.lock;
  const { ready } = options;
  try {
    const served = await startServing({
      server,
      port,
      host: options.host,
      lock: lockOptions === false ? undefined : (bound) => acquireInstanceLock({ ...lockOptions, port: bound }),
      health,
      shutdown: options.shutdown,
      ready:
        ready &&
        (async () => {
          try {
            await ready();
          } catch (error) {
            throw new ReadyFailedError(error);
          }
        }),
    });
    return { server, health, ...served };
  } catch (error) {
    throw isAddressInUse(error) ? new PortInUseError(port, await findPortHolder(port), error) : error;
  }
}
