import type { AddressInfo } from 'node:net';
import { createShutdown, type Shutdown } from '../shutdown/create-shutdown.js';
import type { DrainableServer, ReleasableLock, ShutdownOptions } from '../shutdown/options.js';
import type { Health } from '../health/create-health.js';
import { servingProblems } from './options.js';
import { InvalidOptionsError } from '../errors.js';

/** Options of {@link startServing}: the one start-up sequence every framework adapter runs. */
export interface StartServingOptions<L extends ReleasableLock = ReleasableLock> {
  /** The server to run; its connections are tracked from before `listen` and drained at shutdown. */
  server: DrainableServer;
  /** The port `listen` binds; 0 means any free port. Used for the lock record and the URL. */
  port: number;
  /** The host `listen` binds, for the URL. @default all interfaces (shown as `localhost`) */
  host?: string;
  /**
   * Binds the port (a framework's own `app.listen(...)`), resolving once the server listens.
   * @default `server.listen({ port, host })`
   */
  listen?: () => unknown;
  /**
   * Takes the instance lock, recording `port`: called before `listen` with the fixed port, so a second
   * copy fails on the lock (naming the first) rather than on the port; with port 0, called right after
   * `listen` with the port actually bound, so the record names it. Released last at shutdown, and at
   * once when start-up fails after it. @default no lock
   */
  lock?: (port: number) => Promise<L | undefined> | L | undefined;
  /** The health registry: ready after `ready`, `shutting_down` at shutdown. */
  health: Health;
  /** `createShutdown` options; the server, health and lock are wired in. @default {} */
  shutdown?: Omit<ShutdownOptions, 'servers' | 'health' | 'lock'>;
  /** The app's own readiness, awaited once the port is bound; until then probes answer 503. @default none */
  ready?: () => unknown;
  /** Whether to mark `health` ready once `ready` resolves (false: the app calls `health.setReady()`). @default true */
  markReady?: boolean;
}

/** What {@link startServing} started. */
export interface Serving<L extends ReleasableLock = ReleasableLock> {
  /** The bound port (the real one with port 0). */
  readonly port: number;
  /** `http://<host>:<port>`, with `localhost` for all-interfaces binds. */
  readonly url: string;
  /** The lock held, if any. */
  readonly lock: L | undefined;
  /** The installed graceful shutdown. */
  readonly shutdown: Shutdown;
}

const bind = (server: DrainableServer, port: number, host: string | undefined) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });

/** Stops accepting and drops every connection: only when start-up fails, before any traffic matters. */
const closeNow = (server: DrainableServer) =>
  new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    (server as Partial<import('node:http').Server>).closeAllConnections?.();
  });

/** The URL a person would open: `localhost` for all-interfaces binds, brackets for IPv6. */
function servingUrl(port: number, host?: string): string {
  const shown = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/**
 * Runs a server as a single, well-behaved instance, in the one order that is safe: lock (fixed port)
 * → graceful shutdown installed → listen → lock (port 0) → the app's `ready()` → health ready. When a
 * step fails, what the earlier ones did is undone (shutdown uninstalled, server closed, lock
 * released) and the step's own error is rethrown unchanged (an `EADDRINUSE` from `listen`, whatever
 * `lock` or `ready` threw), for the adapter to word in its framework's terms.
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) listing every problem with `options`
 */
export async function startServing<L extends ReleasableLock>(options: StartServingOptions<L>): Promise<Serving<L>> {
  const problems = servingProblems(options);
  if (problems.length > 0) throw new InvalidOptionsError('startServing', problems);
  const { server, port, host, health } = options;
  let lock = port === 0 ? undefined : await options.lock?.(port);
  // Before listen, so every connection is tracked for the drain. The lock is read when released,
  // since with port 0 it is only taken after listen.
  const releasable = options.lock && { release: async () => lock?.release() };
  const shutdown = createShutdown({ ...options.shutdown, servers: [server], health, lock: releasable });
  try {
    await (options.listen ? options.listen() : bind(server, port, host));
    const bound = (server.address() as AddressInfo).port;
    if (port === 0) lock = await options.lock?.(bound);
    await options.ready?.();
    if (options.markReady ?? true) health.setReady();
    return { port: bound, url: servingUrl(bound, host), lock, shutdown };
  } catch (error) {
    shutdown.uninstall();
    await closeNow(server);
    await lock?.release();
    throw error;
  }
}
