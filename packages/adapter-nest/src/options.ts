import type { HealthOptions, HealthPaths, ShutdownOptions } from '@pm/health';
import { healthDefaults } from '@pm/health';
import type { AcquireInstanceLockOptions, InstanceLock } from '@pm/lock';
import { isObject } from '@pm/kernel/guards';
import { InvalidPmOptionsError } from './errors.js';

/** Options of `PmModule.forRoot()` (and what a `forRootAsync` factory returns). */
export interface PmModuleOptions {
  /**
   * Instance lock: `@pm/lock` options (acquired in `onModuleInit`, before any other module's hooks
   * and before the app listens), an `InstanceLock` you acquired yourself before `NestFactory.create`
   * (released at shutdown), or `false` for none. `port` defaults to the port `serve()` binds.
   * @default {} (lock `app` at env `PID_FILE_PATH`, else `./data/app.pid`)
   */
  lock?: AcquireInstanceLockOptions | InstanceLock | false;
  /**
   * `@pm/health` `createHealth` options, except `paths` (see {@link PmModuleRootOptions.paths}). Its
   * `info` is merged with what providers contribute (`@PmInfo()`, `PmService.addInfo`). @default {}
   */
  health?: Omit<HealthOptions, 'paths'>;
  /**
   * When the app is ready: `'listen'` marks it ready once the HTTP server listens (after every
   * `onModuleInit` and `onApplicationBootstrap`); `'manual'` waits for `PmService.setReady()`.
   * @default 'listen'
   */
  ready?: 'listen' | 'manual';
  /**
   * Graceful shutdown options for `serve()`, passed to `@pm/health` `createShutdown` (`signals`,
   * `hooks`, `timeout`, `drainDelay`, `drainTimeout`, `exit`, `logger`, ...). The hook name `'nest'`
   * is reserved: `serve()` adds the hook of that name that runs `app.close()`.
   * @default {} (SIGTERM/SIGINT, `process.exit` at the end)
   */
  shutdown?: Omit<ShutdownOptions, 'servers' | 'health' | 'lock'>;
}

/** Options of `PmModule.forRoot()`: the module options plus the health controller's paths. */
export interface PmModuleRootOptions extends PmModuleOptions {
  /** Paths of the health controller (routes are fixed when the module is defined). @default { health: '/health', live: '/livez', ready: '/readyz' } */
  paths?: HealthPaths;
}

/** Options of `PmModule.forRootAsync()`. */
export interface PmModuleAsyncOptions {
  /** Modules the factory's injections come from (e.g. `ConfigModule`). @default [] */
  imports?: unknown[];
  /** Builds the options, possibly from injected providers (a `ConfigService`...). */
  useFactory: (...args: never[]) => PmModuleOptions | Promise<PmModuleOptions>;
  /** Tokens injected into `useFactory`, in order. @default [] */
  inject?: unknown[];
  /** Paths of the health controller: given here, not by the factory, since routes are fixed when the module is defined. @default as forRoot */
  paths?: HealthPaths;
}

/** Defaults of {@link PmModuleOptions}, in one place (the README is tested against it). */
export const pmModuleDefaults = {
  ready: 'listen',
  paths: healthDefaults.paths,
} as const;

/** Name of the shutdown hook `serve()` adds to run `app.close()`; reserved, so user hooks cannot take it. */
export const NEST_HOOK_NAME = 'nest';

/** True for an already acquired `InstanceLock` (as opposed to options to acquire one). */
export const isInstanceLock = (v: unknown): v is InstanceLock => isObject(v) && typeof v.release === 'function' && isObject(v.info);

/** Validates the module options up front and reports every problem at once (the core packages validate their own). */
export function checkModuleOptions(where: string, options: PmModuleOptions): void {
  if (!isObject(options as unknown)) throw new InvalidPmOptionsError(where, ['options must be an object']);
  const problems: string[] = [];
  const { lock, health, ready, shutdown } = options;
  if (lock !== undefined && lock !== false && !isObject(lock)) problems.push('lock must be @pm/lock options, an InstanceLock, or false');
  if (health !== undefined && !isObject(health)) problems.push('health must be createHealth options');
  if (isObject(health) && 'paths' in health)
    problems.push('health.paths: give paths to forRoot()/forRootAsync() itself (routes are fixed when the module is defined)');
  if (ready !== undefined && ready !== 'listen' && ready !== 'manual')
    problems.push(`ready must be 'listen' or 'manual' (got ${JSON.stringify(ready)})`);
  if (shutdown !== undefined && !isObject(shutdown)) problems.push('shutdown must be createShutdown options');
  for (const key of ['servers', 'health', 'lock'])
    if (isObject(shutdown) && key in shutdown) problems.push(`shutdown.${key} is wired in by serve(); remove it`);
  // Only this one: the rest of the shutdown options (hooks included) are validated by createShutdown in serve().
  if (isObject(shutdown) && Array.isArray(shutdown.hooks)) {
    shutdown.hooks.forEach((hook: unknown, i) => {
      if (isObject(hook) && hook.name === NEST_HOOK_NAME) {
        problems.push(
          `shutdown.hooks[${i}].name "${NEST_HOOK_NAME}" is reserved: serve() adds a hook by that name to run app.close(); pick another name`,
        );
      }
    });
  }
  if (problems.length > 0) throw new InvalidPmOptionsError(where, problems);
}
