import { constants } from 'node:os';
import { InvalidOptionsError } from '../errors.js';
import { isLogger, type Logger } from '../logger.js';
import { checkBoolean, checkKnownKeys, checkMs, isRecord } from '../validate.js';

/** A server to drain: any `node:http` / `node:https` server (a plain `net.Server` works too). */
export type DrainableServer = import('node:net').Server;

/** What shutdown needs from a health registry: `createHealth()` fits. */
export interface ShutdownHealth {
  setShuttingDown(): void;
}

/** What shutdown needs from a lock: an `@pm/lock` InstanceLock fits (or anything with `release()`). */
export interface ReleasableLock {
  release(): Promise<void> | void;
}

/** Given to every hook. */
export interface HookContext {
  /** Why shutdown started: the signal name, `uncaughtException`, `unhandledRejection`, or the `shutdown(reason)` argument. */
  reason: string;
  /** Aborted when this hook's timeout elapses, so it can stop what it is doing. */
  signal: AbortSignal;
}

/** A shutdown hook: close a database, stop workers, flush logs… */
export type HookFunction = (context: HookContext) => unknown;

/** Options of one hook. */
export interface HookOptions {
  /** Hooks run one after another in ascending `order`; equal orders run in the order they were added. @default 0 */
  order?: number;
  /** Milliseconds before the hook is abandoned (logged, exit code 1) and the next one runs; at most 2147483647. @default the shutdown `hookTimeout` */
  timeout?: number;
}

/** A hook given up front in {@link ShutdownOptions.hooks}. */
export interface HookDefinition extends HookOptions {
  /** Unique name, used in logs and in the result. */
  name: string;
  /** The hook itself. */
  fn: HookFunction;
}

/** Options of `createShutdown`. */
export interface ShutdownOptions {
  /**
   * Signals that start the shutdown (a signal listed twice counts once). A second signal during
   * shutdown forces exit at once; a shutdown started by `shutdown(reason)` or an uncaught error is
   * not a signal, so the first signal after it does not force. @default ['SIGTERM', 'SIGINT']
   */
  signals?: NodeJS.Signals[];
  /** Servers to drain. Create the shutdown before they accept connections, so every socket is tracked. @default [] */
  servers?: DrainableServer[];
  /** Health registry to flip to `shutting_down` first (its `/readyz` answers 503 from then on). @default none */
  health?: ShutdownHealth;
  /** Lock released last, after every hook. @default none */
  lock?: ReleasableLock;
  /** Hooks to add up front (more with `addHook`). @default [] */
  hooks?: HookDefinition[];
  /** Default per-hook timeout in ms; also bounds the lock release. At most 2147483647 (about 24.8 days). @default 5000 */
  hookTimeout?: number;
  /** Total time budget in ms, drain delay included; when it elapses, exit is forced with code 1. At most 2147483647. @default 25000 */
  timeout?: number;
  /**
   * Ms to keep serving (with `/readyz` at 503) before the servers stop accepting, so load balancers
   * notice first. When not given and env `KUBERNETES_SERVICE_HOST` is set (read when `createShutdown`
   * is called), 5000, shortened to fit a short `timeout`: at most half of `timeout` (of what
   * `drainTimeout` leaves of it, when given).
   * @default 0, or 5000 when env `KUBERNETES_SERVICE_HOST` is set (shortened to fit a short `timeout`)
   */
  drainDelay?: number;
  /**
   * Ms to wait for in-flight requests once the servers stopped accepting; then the connections still
   * open (long polls, SSE streams, stuck uploads) are destroyed (`PM_SHUTDOWN_DRAIN_TIMEOUT`, exit
   * code 1) and the hooks and the lock release still run.
   * @default 10000, capped at half of what `timeout` leaves after `drainDelay`
   */
  drainTimeout?: number;
  /** Also shut down (exit code 1) on `uncaughtException` and `unhandledRejection`. @default false */
  handleErrors?: boolean;
  /** Called once with the exit code at the end. Tests pass a spy. @default process.exit */
  exit?: (code: number) => void;
  /** pino-compatible logger. @default silent; JSON lines on stderr when env PROCESS_MANAGER_DEBUG=true */
  logger?: Logger;
}

/** Defaults of {@link ShutdownOptions}, in one place (the README is tested against it). */
export const shutdownDefaults = {
  signals: ['SIGTERM', 'SIGINT'],
  hookTimeout: 5000,
  timeout: 25_000,
  drainDelay: 0,
  /** `drainDelay` when env `KUBERNETES_SERVICE_HOST` is set and no `drainDelay` is given (shortened to fit a short `timeout`). */
  kubernetesDrainDelay: 5000,
  /** Cap of `drainTimeout` when not given: at most half of `timeout - drainDelay`. */
  drainTimeout: 10_000,
  handleErrors: false,
  hookOrder: 0,
} as const;

/** Options after defaults and validation. */
export interface ResolvedShutdownOptions {
  signals: NodeJS.Signals[];
  hookTimeout: number;
  timeout: number;
  drainDelay: number;
  drainTimeout: number;
  handleErrors: boolean;
  exit: (code: number) => void;
  logger: Logger | undefined;
}

const uncatchable = new Set(['SIGKILL', 'SIGSTOP']);

// Every option key, so a typo (`signal`, `timout`, `ordr`) is reported instead of ignored. Typed as a
// Record of the interface's keys: adding an option without listing it here does not compile.
const shutdownOptionKeys = Object.keys({
  signals: true,
  servers: true,
  health: true,
  lock: true,
  hooks: true,
  hookTimeout: true,
  timeout: true,
  drainDelay: true,
  drainTimeout: true,
  handleErrors: true,
  exit: true,
  logger: true,
} satisfies Record<keyof ShutdownOptions, true>);
const hookDefinitionKeys = Object.keys({ name: true, fn: true, order: true, timeout: true } satisfies Record<keyof HookDefinition, true>);

/** Problems with one hook's options, for `hooks` and `addHook` alike. */
export function hookProblems(label: string, hook: { name?: unknown; fn?: unknown; order?: unknown; timeout?: unknown }): string[] {
  const problems: string[] = [];
  if (typeof hook.name !== 'string' || hook.name === '') problems.push(`${label}.name must be a non-empty string`);
  if (typeof hook.fn !== 'function') problems.push(`${label}.fn must be a function`);
  if (isRecord(hook)) checkKnownKeys(problems, `${label}.`, hook, hookDefinitionKeys);
  if (hook.order !== undefined && (typeof hook.order !== 'number' || !Number.isFinite(hook.order))) {
    problems.push(`${label}.order must be a finite number (got ${JSON.stringify(hook.order)})`);
  }
  checkMs(problems, `${label}.timeout`, hook.timeout, 1, { timer: true, noLimit: true });
  return problems;
}

/** Validates every option and reports every problem at once. Reads env `KUBERNETES_SERVICE_HOST` (only when `drainDelay` is not given). */
export function resolveShutdownOptions(options: ShutdownOptions): ResolvedShutdownOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError('createShutdown', ['options must be an object']);
  const problems: string[] = [];
  checkKnownKeys(problems, '', options as unknown as Record<string, unknown>, shutdownOptionKeys);
  const signals = options.signals ?? [...shutdownDefaults.signals];
  if (!Array.isArray(signals)) problems.push("signals must be an array of signal names, e.g. ['SIGTERM', 'SIGINT']");
  else {
    for (const s of signals) {
      if (typeof s !== 'string' || !(s in constants.signals)) problems.push(`signals: ${JSON.stringify(s)} is not a signal name`);
      else if (uncatchable.has(s)) problems.push(`signals: ${s} cannot be caught by a process`);
    }
  }
  if (options.servers !== undefined) {
    if (!Array.isArray(options.servers)) problems.push('servers must be an array of node:http servers');
    else
      options.servers.forEach((s, i) => {
        if (typeof s?.close !== 'function' || typeof s?.on !== 'function') problems.push(`servers[${i}] is not a node:http / net server`);
      });
  }
  if (options.health !== undefined && typeof options.health?.setShuttingDown !== 'function') {
    problems.push('health must be a createHealth() registry (something with setShuttingDown())');
  }
  if (options.lock !== undefined && typeof options.lock?.release !== 'function') {
    problems.push('lock must have a release() method (an @pm/lock InstanceLock works)');
  }
  if (options.hooks !== undefined) {
    if (!Array.isArray(options.hooks)) problems.push('hooks must be an array of { name, fn, order?, timeout? }');
    else {
      options.hooks.forEach((h, i) => problems.push(...hookProblems(`hooks[${i}]`, (h ?? {}) as HookDefinition)));
      const names = options.hooks.map((h) => h?.name);
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup !== undefined) problems.push(`hooks: the name ${JSON.stringify(dup)} is used twice`);
    }
  }
  checkMs(problems, 'hookTimeout', options.hookTimeout, 1, { timer: true, noLimit: true });
  checkMs(problems, 'timeout', options.timeout, 1, { timer: true, noLimit: true });
  checkMs(problems, 'drainDelay', options.drainDelay, 0);
  checkMs(problems, 'drainTimeout', options.drainTimeout, 1, { timer: true, noLimit: true });
  checkBoolean(problems, 'handleErrors', options.handleErrors);
  if (options.exit !== undefined && typeof options.exit !== 'function') problems.push('exit must be a function (code) => void');
  if (options.logger !== undefined && !isLogger(options.logger))
    problems.push('logger must have debug, info, warn and error methods (a pino logger works)');

  const timeout = options.timeout ?? shutdownDefaults.timeout;
  const drainDelay =
    options.drainDelay ??
    (process.env.KUBERNETES_SERVICE_HOST ? kubernetesDrainDelay(timeout, options.drainTimeout) : shutdownDefaults.drainDelay);
  if (problems.length === 0 && drainDelay >= timeout) {
    problems.push(`drainDelay (${drainDelay} ms) must be shorter than timeout (${timeout} ms), or nothing is left for draining and hooks`);
  }
  if (problems.length === 0 && options.drainTimeout !== undefined && drainDelay + options.drainTimeout >= timeout) {
    problems.push(
      `drainDelay + drainTimeout (${drainDelay} + ${options.drainTimeout} ms) must be shorter than timeout (${timeout} ms), or the hooks and the lock release never run`,
    );
  }
  // When not given, the drain gets at most half of what the drain delay leaves, so hooks keep the other half.
  const drainTimeout = options.drainTimeout ?? Math.min(shutdownDefaults.drainTimeout, Math.floor((timeout - drainDelay) / 2));
  if (problems.length > 0) throw new InvalidOptionsError('createShutdown', problems);

  return {
    // A signal listed twice would get two listeners, and its first delivery would count as a second signal.
    signals: [...new Set(signals as NodeJS.Signals[])],
    hookTimeout: options.hookTimeout ?? shutdownDefaults.hookTimeout,
    timeout,
    drainDelay,
    drainTimeout,
    handleErrors: options.handleErrors ?? shutdownDefaults.handleErrors,
    exit: options.exit ?? ((code: number) => process.exit(code)),
    logger: options.logger,
  };
}

/**
 * The drain delay used under Kubernetes when none is given: 5000 ms, unless that would take more
 * than half of `timeout` (or, when `drainTimeout` is given, more than half of what it leaves); then
 * that half. Any `timeout` of 10 s or more (the default is 25 s) keeps the full 5 s, and a short
 * one no longer fails over a `drainDelay` the user never set; any problem left is about the options
 * they did set.
 */
function kubernetesDrainDelay(timeout: number, drainTimeout: number | undefined): number {
  const budget = drainTimeout === undefined ? timeout : Math.max(0, timeout - drainTimeout);
  return Math.min(shutdownDefaults.kubernetesDrainDelay, Math.floor(budget / 2));
}
