import type { Server } from 'node:http';
import { createServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { startServing, type Shutdown } from '@pm/health';
import { isAddressInUse } from '@pm/kernel/port-in-use';
import { findPortHolder } from '@pm/lock';
import { InvalidPmOptionsError, PmModuleMissingError, PortInUseError } from './errors.js';
import { PmService } from './pm.service.js';
import { PM_OPTIONS } from './tokens.js';
import { isInstanceLock, NEST_HOOK_NAME, type PmModuleOptions } from './options.js';

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

// Nest's listen() runs every module's init before it binds, and the lock must come before those: so
// port 0 is turned into a free port first (as get-port does), for the lock to record it.
const freePort = (host: string | undefined) =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen({ port: 0, host }, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

function moduleOf(app: INestApplication): { pm: PmService; options: PmModuleOptions } {
  try {
    return { pm: app.get(PmService), options: app.get<PmModuleOptions>(PM_OPTIONS) };
  } catch (error) {
    throw new PmModuleMissingError(error);
  }
}

/**
 * Starts a Nest app that imports `PmModule` through `@pm/health`'s `startServing`: takes the instance
 * lock (recording the port bound; with `port: 0`, a free port picked first), installs graceful
 * shutdown, then `app.listen()` (which runs the module hooks: none runs when the lock is taken). On
 * SIGTERM/SIGINT: `/readyz` 503, the drain delay, in-flight requests finish, then `app.close()` runs
 * Nest's `onModuleDestroy`, `beforeApplicationShutdown` and `onApplicationShutdown` in Nest's order,
 * then the lock is released, then exit 0. Do not also call `app.enableShutdownHooks()`: this owns the signals.
 * @throws InstanceAlreadyRunningError (`PM_INSTANCE_RUNNING`) from `@pm/lock` when another copy runs
 * @throws PortInUseError (`PM_PORT_IN_USE`) when the port is taken; the app is closed and the lock released first
 * @throws PmModuleMissingError (`PM_NEST_MODULE_MISSING`) when the app does not import `PmModule`
 * @throws InvalidPmOptionsError (`PM_NEST_INVALID_OPTIONS`) for a wrong port, or a `lock.port` naming another port
 */
export async function serve(app: INestApplication, options: ServeOptions = {}): Promise<Served> {
  const { port: asked = serveDefaults.port, host } = options;
  if (!Number.isInteger(asked) || asked < 0 || asked > 65535)
    throw new InvalidPmOptionsError('serve()', [`port must be an integer from 0 to 65535 (got ${JSON.stringify(asked)})`]);
  const { pm, options: moduleOptions } = moduleOf(app);
  const lockPort = moduleOptions.lock && !isInstanceLock(moduleOptions.lock) ? moduleOptions.lock.port : undefined;
  if (lockPort != null && lockPort !== asked)
    throw new InvalidPmOptionsError('serve()', [
      `lock.port (${lockPort}) differs from the port serve() binds (${asked}); remove lock.port: serve() records the port it binds`,
    ]);
  const port = asked === 0 ? await freePort(host) : asked;
  const lock = pm.takeOverLock();
  const listen = async () => {
    try {
      await (host === undefined ? app.listen(port) : app.listen(port, host));
    } catch (error) {
      // Init ran (providers may have connected): close them as a shutdown would, before the lock goes.
      if (isAddressInUse(error)) await app.close();
      throw error;
    }
  };
  try {
    const served = await startServing({
      server: app.getHttpServer() as Server,
      port,
      host,
      listen,
      lock: lock.acquire,
      health: pm.health,
      // Nest's hooks run as the first hook, after the drain; the lock is released after every hook.
      // The name is reserved (checkModuleOptions rejects a user hook named so, with a message saying why).
      shutdown: {
        ...moduleOptions.shutdown,
        hooks: [{ name: NEST_HOOK_NAME, fn: () => app.close(), order: Number.MIN_SAFE_INTEGER }, ...(moduleOptions.shutdown?.hooks ?? [])],
      },
      markReady: (moduleOptions.ready ?? 'listen') === 'listen',
    });
    return { server: app.getHttpServer() as Server, port: served.port, url: served.url, pm, shutdown: served.shutdown };
  } catch (error) {
    throw isAddressInUse(error) ? new PortInUseError(port, await findPortHolder(port), error) : error;
  }
}
