import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Health, HealthOptions, ShutdownOptions } from '@pm/health';
import type { AcquireInstanceLockOptions } from '@pm/lock';
import { isObject } from '@pm/kernel/guards';
import { InvalidServeOptionsError } from './errors.js';

/**
 * What `serve()` needs from an app: a request listener. Any Express 4 or 5 app fits (so does a plain
 * `(req, res) => void`); typed structurally so this package's types never depend on `@types/express`.
 */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Options of `serve(app, options)`. */
export interface ServeOptions {
  /** Port to bind; 0 picks a free one. Read `process.env.PORT` yourself: libraries read no env for you. @default 3000 */
  port?: number;
  /** Host to bind. @default all interfaces (as `app.listen(port)`) */
  host?: string;
  /**
   * Instance lock options (`name`, `path`, `metadata`, `wait`, `backend`, ...; `port` is filled in), or
   * `false` for no lock. @default {} (lock `app` at env `PID_FILE_PATH`, else `./data/app.pid`)
   */
  lock?: Omit<AcquireInstanceLockOptions, 'port'> | false;
  /**
   * A health registry (e.g. the one your `healthMiddleware` uses), or options to create one. Its paths
   * are answered in front of the app, so probes skip your middleware (auth, body parsing, logging).
   * @default {} (a new registry: `/health`, `/livez`, `/readyz`)
   */
  health?: Health | HealthOptions;
  /**
   * The app's own readiness, awaited after the port is bound (connect the database, warm caches...).
   * Until it resolves, `/readyz` and `/health` answer 503 `initializing`. @default none (ready once bound)
   */
  ready?: () => unknown;
  /**
   * Graceful shutdown options passed to `@pm/health` `createShutdown` (`signals`, `hooks`, `timeout`,
   * `drainDelay`, `drainTimeout`, `exit`, `logger`, ...). The server, health registry and lock are wired in.
   * @default {} (SIGTERM/SIGINT, `process.exit` at the end)
   */
  shutdown?: Omit<ShutdownOptions, 'servers' | 'health' | 'lock'>;
}

/** Defaults of {@link ServeOptions}, in one place (the README is tested against it). */
export const serveDefaults = {
  port: 3000,
} as const;

/** True for a `createHealth()` registry (as opposed to options to create one). */
export const isHealth = (v: unknown): v is Health => isObject(v) && typeof v.handler === 'function' && typeof v.setReady === 'function';

/** Validates every option up front and reports every problem at once (core packages validate their own options). */
export function checkServeOptions(app: unknown, options: ServeOptions): void {
  const problems: string[] = [];
  if (typeof app !== 'function') problems.push('app must be an Express app or a (req, res) request listener');
  if (!isObject(options as unknown)) throw new InvalidServeOptionsError([...problems, 'options must be an object']);
  const { port, host, lock, health, ready, shutdown } = options;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    problems.push(`port must be an integer from 0 to 65535 (got ${JSON.stringify(port)})`);
  if (host !== undefined && (typeof host !== 'string' || host === '')) problems.push('host must be a non-empty string');
  if (lock !== undefined && lock !== false && !isObject(lock)) problems.push('lock must be @pm/lock options or false');
  if (isObject(lock) && 'port' in lock) problems.push('lock.port is filled in from port; remove it');
  if (health !== undefined && !isObject(health)) problems.push('health must be a createHealth() registry or its options');
  if (ready !== undefined && typeof ready !== 'function') problems.push('ready must be a function (may be async)');
  if (shutdown !== undefined && !isObject(shutdown)) problems.push('shutdown must be createShutdown options');
  for (const key of ['servers', 'health', 'lock'])
    if (isObject(shutdown) && key in shutdown) problems.push(`shutdown.${key} is wired in by serve(); remove it`);
  if (problems.length > 0) throw new InvalidServeOptionsError(problems);
}
