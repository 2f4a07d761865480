import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { createShutdown, type Shutdown } from '@pm/health';
import { InvalidPmOptionsError, PmModuleMissingError, PortInUseError } from './errors.js';
import { PmService } from './pm.service.js';
import { findPortHolder } from '@pm/lock';
import { PM_OPTIONS } from './tokens.js';
import { NEST_HOOK_NAME, type PmModuleOptions } from './options.js';

/** Options of `serve(app, options)`. */
export interface ServeOptions {
  /** Port to bind; 0 picks a free one. Read `process.env.PORT` yourself: libraries read no env for you. @default 3000 */
  port?: number;
  /** Host to bind. @default all interfaces (as `app.listen(port)`) */
  host?: string;
}

/** Defaults of {@link ServeOptions}, in one place (the README is tested against it). */
export const serveDefaults = {
  port: 3000,
} as const;

/** What `serve()` started. */
export interface Served {
  /** The `node:http` server under Nest. */
  readonly server: Server;
  /** The bound port (the real one when `port: 0`). */
  readonly port: number;
  /** `http://<host>:<port>`, with `localhost` for all-interfaces binds. */
  readonly url: string;
  /** The module's service: health registry, lock, checks and info. */
  readonly pm: PmService;
  /** The installed graceful shutdown: `shutdown()` stops now; `addHook()` runs after Nest's own hooks (the hook named `'nest'`, which runs `app.close()`). */
  readonly shutdown: Shutdown;
}

/**
 * Starts a Nest app that imports `PmModule`: installs graceful shutdown, then `app.listen()` (which
 * runs the module hooks: the lock is taken first). On SIGTERM/SIGINT: `/readyz` 503, the drain delay,
 * in-flight requests finish, then `app.close()` runs Nest's `onModuleDestroy`,
 * `beforeApplicationShutdown` and `onApplicationShutdown` in Nest's order, then the lock is released,
 * then exit 0. Do not also call `app.enableShutdownHooks()`: this owns the signals.
 * @throws InstanceAlreadyRunningError (`PM_INSTANCE_RUNNING`) from `@pm/lock` when another copy runs
 * @throws PortInUseError (`PM_PORT_IN_USE`) when the port is taken; the app is closed and the lock released first
 * @throws PmModuleMissingError (`PM_NEST_MODULE_MISSING`) when the app does not import `PmModule`
 */
export async function serve(app: INestApplication, options: ServeOptions = {}): Promise<Served> {
  const { port = serveDefaults.port, host } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidPmOptionsError('serve()', [`port must be an integer from 0 to 65535 (got ${JSON.stringify(port)})`]);
  let pm: PmService;
  try {
    pm = app.get(PmService);
  } catch (error) {
    throw new PmModuleMissingError(error);
  }
  const moduleOptions = app.get<PmModuleOptions>(PM_OPTIONS);
  const server = app.getHttpServer() as Server;
  pm.prepare(port);
  // Created before listen so every connection is tracked. Nest's hooks run as the first hook, after
  // the drain; the lock is released after every hook, so it goes last whatever Nest's module order.
  const shutdown = createShutdown({
    ...moduleOptions.shutdown,
    servers: [server],
    health: pm.health,
    lock: { release: () => pm.releaseLock() },
    // The name is reserved (checkModuleOptions rejects a user hook named so, with a message saying why).
    hooks: [{ name: NEST_HOOK_NAME, fn: () => app.close(), order: Number.MIN_SAFE_INTEGER }, ...(moduleOptions.shutdown?.hooks ?? [])],
  });
  try {
    await (host === undefined ? app.listen(port) : app.listen(port, host));
  } catch (error) {
    shutdown.uninstall();
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    // Init ran (the lock is held, providers may have connected): close them as a shutdown would.
    if (inUse) await app.close();
    await pm.releaseLock();
    if (inUse) throw new PortInUseError(port, await findPortHolder(port), error);
    throw error;
  }
  if ((moduleOptions.ready ?? 'listen') === 'listen') pm.setReady();
  const bound = (server.address() as AddressInfo).port;
  const shown = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return { server, port: bound, url: `http://${shown}:${bound}`, pm, shutdown };
}
