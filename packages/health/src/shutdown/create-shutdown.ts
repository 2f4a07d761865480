import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DuplicateNameError,
  HealthErrorCodes,
  InvalidOptionsError,
  PmHealthError,
  ShutdownError,
  ShutdownHookError,
  describeFailure,
} from '../errors.js';
import { resolveLogger } from '../logger.js';
import {
  hookProblems,
  resolveShutdownOptions,
  shutdownDefaults,
  type DrainableServer,
  type HookFunction,
  type HookOptions,
  type ShutdownOptions,
} from './options.js';
import { runBounded } from './run-bounded.js';
import { ServerDrain } from './server-drain.js';

/** One hook's outcome in a {@link ShutdownResult}. */
export interface HookOutcome {
  name: string;
  status: 'ok' | 'failed' | 'timeout' | 'skipped';
  durationMs: number;
}

/** What a shutdown did, handed to nobody but returned by `shutdown()` (the process normally exits right after). */
export interface ShutdownResult {
  /** Why it started: signal name, `uncaughtException`, `unhandledRejection`, or the `shutdown(reason)` argument. */
  reason: string;
  /** 0 when clean; 1 when a hook failed or timed out, connections were cut at `drainTimeout`, the lock release failed, exit was forced, or it started from an uncaught error. */
  exitCode: 0 | 1;
  /** True when exit was forced by the total timeout or a second signal (the first one after `shutdown()` or an uncaught error does not force). */
  forced: boolean;
  /** From start to the exit call, in ms. */
  durationMs: number;
  /** Each hook in the order it ran. */
  hooks: HookOutcome[];
  /** Every problem met, with stable codes. */
  errors: PmHealthError[];
}

/** Graceful shutdown: installed signal listeners, servers to drain, ordered hooks. */
export interface Shutdown extends AsyncDisposable {
  /**
   * Runs the sequence now (as a signal would) and resolves with its result just before `exit` is
   * called. Calling it again returns the same promise.
   */
  shutdown(reason?: string): Promise<ShutdownResult>;
  /**
   * Adds a hook; returns a function that removes it (until shutdown starts).
   * @throws DuplicateNameError (`PM_HEALTH_DUPLICATE_NAME`) when the name is taken
   * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) when the options are wrong
   */
  addHook(name: string, fn: HookFunction, options?: HookOptions): () => void;
  /** Adds a server to drain; its sockets are tracked from now on. */
  addServer(server: DrainableServer): void;
  /** True once shutdown has started. */
  readonly shuttingDown: boolean;
  /** Requests being served now on the servers added (what a drain waits for). */
  readonly inFlight: number;
  /** The drain delay in effect, in ms (the option, else 5000 under Kubernetes, shortened to fit a short `timeout`, else 0). */
  readonly drainDelay: number;
  /** The drain timeout in effect, in ms. */
  readonly drainTimeout: number;
  /** Removes every listener this added (process signals and errors, server listeners). Idempotent. */
  uninstall(): void;
  /** Same as `uninstall()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

interface HookEntry {
  name: string;
  fn: HookFunction;
  order: number;
  timeout: number;
  seq: number;
}

/** Node 20 has Symbol.asyncDispose; the registry symbol keeps older runtimes from crashing. */
/** How long a timeout-forced exit waits for the lock release (at most `hookTimeout`). */
const FORCED_RELEASE_MS = 1000;

const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? (Symbol.for('nodejs.asyncDispose') as typeof Symbol.asyncDispose);

/**
 * Installs graceful shutdown: on a signal (or `shutdown()`), flips health to `shutting_down`, waits
 * the drain delay, stops accepting, lets in-flight requests finish, runs hooks in order, releases the
 * lock last and calls `exit`. Listeners are added by this call and removed by `uninstall()`.
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) listing every problem with `options`
 */
export function createShutdown(options: ShutdownOptions = {}): Shutdown {
  const o = resolveShutdownOptions(options);
  const logger = resolveLogger(o.logger);
  const drains = new Map<DrainableServer, ServerDrain>();
  const hooks = new Map<string, HookEntry>();
  let seq = 0;
  let running: Promise<ShutdownResult> | undefined;
  let exited = false;
  let installed = true;
  let resolveForced: ((result: ShutdownResult) => void) | undefined;
  let forcedResult: Promise<ShutdownResult> | undefined;
  /** Set by the first signal: only a signal after it forces exit, not one after `shutdown()` or an uncaught error. */
  let signalled = false;
  let forcing = false;
  let lockRelease: Promise<void> | undefined;
  const releaseOnce = (lock: NonNullable<ShutdownOptions['lock']>): Promise<void> =>
    (lockRelease ??= Promise.resolve().then(() => lock.release()));
  let startedAt = 0;
  const errors: PmHealthError[] = [];
  const outcomes: HookOutcome[] = [];

  const addServer = (server: DrainableServer) => {
    if (!drains.has(server)) drains.set(server, new ServerDrain(server));
  };

  const addHook = (name: string, fn: HookFunction, hookOptions: HookOptions = {}): (() => void) => {
    const problems = hookProblems(`hook "${String(name)}"`, { ...hookOptions, name, fn });
    if (problems.length > 0) throw new InvalidOptionsError('addHook', problems);
    if (hooks.has(name)) throw new DuplicateNameError('hook', name);
    const entry: HookEntry = {
      name,
      fn,
      order: hookOptions.order ?? shutdownDefaults.hookOrder,
      timeout: hookOptions.timeout ?? o.hookTimeout,
      seq: seq++,
    };
    hooks.set(name, entry);
    return () => {
      if (!running && hooks.get(name) === entry) hooks.delete(name);
    };
  };

  const callExit = (code: 0 | 1, forced: boolean, reason: string): ShutdownResult => {
    const result: ShutdownResult = {
      reason,
      exitCode: code,
      forced,
      durationMs: Math.round((performance.now() - startedAt) * 100) / 100,
      hooks: [...outcomes],
      errors: [...errors],
    };
    if (!exited) {
      exited = true;
      clearTimeout(totalTimer);
      logger[code === 0 ? 'info' : 'error']({ reason, exitCode: code, forced, durationMs: result.durationMs }, 'shutdown complete');
      o.exit(code);
    }
    return result;
  };

  const exitForced = (reason: string): void => void resolveForced?.(callExit(1, true, reason));

  /**
   * Exit with code 1: total timeout or second signal; hooks still pending are abandoned. On the total
   * timeout the lock is still released on the way out, bounded by FORCED_RELEASE_MS, so a replacement
   * need not wait for a Redis lease to expire; a second signal (also during that release) means now.
   */
  const force = (error: ShutdownError, reason: string, releaseLock: boolean) => {
    if (exited) return;
    if (forcing) {
      if (!releaseLock) exitForced(reason);
      return;
    }
    forcing = true;
    errors.push(error);
    logger.error({ code: error.code }, error.message);
    const lock = options.lock;
    if (!releaseLock || !lock) return exitForced(reason);
    // The same release the sequence may have started already: awaited once, never called twice.
    const bound = setTimeout(() => exitForced(reason), Math.min(FORCED_RELEASE_MS, o.hookTimeout));
    releaseOnce(lock)
      .then(() => logger.debug('lock released before the forced exit'))
      .catch((releaseError: unknown) =>
        logger.error({ err: describeFailure(releaseError, 'it rejected') }, 'lock release failed before the forced exit'),
      )
      .finally(() => {
        clearTimeout(bound);
        exitForced(reason);
      });
  };

  let totalTimer: NodeJS.Timeout | undefined;

  const sequence = async (reason: string, failed: boolean): Promise<ShutdownResult> => {
    logger.info({ reason, drainDelay: o.drainDelay, timeout: o.timeout }, 'shutdown started');
    options.health?.setShuttingDown();
    for (const drain of drains.values()) drain.startDraining();
    if (o.drainDelay > 0) {
      logger.debug({ drainDelay: o.drainDelay }, 'waiting for load balancers to see /readyz 503');
      await sleep(o.drainDelay);
    }
    if (exited) return callExit(1, true, reason);

    logger.debug({ servers: drains.size }, 'closing servers, waiting for in-flight requests');
    const cut = (await Promise.all([...drains.values()].map((d) => d.drain(o.drainTimeout)))).reduce((a, n) => a + n, 0);
    if (cut > 0) {
      const error = new ShutdownError(
        HealthErrorCodes.drainTimeout,
        `${cut} connection(s) still busy after drainTimeout (${o.drainTimeout} ms) were destroyed; end long-lived responses (SSE, long polls) sooner or raise drainTimeout`,
      );
      errors.push(error);
      logger.error({ code: error.code, connections: cut }, error.message);
    }
    logger.debug('servers closed');

    const ordered = [...hooks.values()].sort((a, b) => a.order - b.order || a.seq - b.seq);
    for (const hook of ordered) {
      if (exited || forcing) break; // forced: the rest is abandoned, the exit is force()'s to make
      logger.debug({ hook: hook.name }, 'running shutdown hook');
      const outcome = await runBounded((signal) => hook.fn({ reason, signal }), hook.timeout);
      outcomes.push({ name: hook.name, status: outcome.status, durationMs: outcome.durationMs });
      if (outcome.status === 'failed') {
        const error = new ShutdownHookError(
          hook.name,
          HealthErrorCodes.hookFailed,
          `Shutdown hook "${hook.name}" failed: ${describeFailure(outcome.error, 'it rejected')}`,
          outcome.error,
        );
        errors.push(error);
        logger.error({ hook: hook.name, code: error.code, err: error.message }, 'shutdown hook failed; continuing');
      } else if (outcome.status === 'timeout') {
        const error = new ShutdownHookError(
          hook.name,
          HealthErrorCodes.hookTimeout,
          `Shutdown hook "${hook.name}" did not finish within ${hook.timeout} ms; continuing without it`,
        );
        errors.push(error);
        logger.error({ hook: hook.name, code: error.code, timeout: hook.timeout }, 'shutdown hook timed out; continuing');
      }
    }
    if (exited) return callExit(1, true, reason);
    if (forcing) return forcedResult!;

    // Last, so a replacement instance can't start while this one still has work in progress.
    const lock = options.lock;
    if (lock) {
      const outcome = await runBounded(() => releaseOnce(lock), o.hookTimeout);
      if (forcing) return forcedResult!; // the total timeout fired meanwhile: force() waits for this same release
      if (outcome.status !== 'ok') {
        const detail =
          outcome.status === 'timeout' ? `did not finish within ${o.hookTimeout} ms` : describeFailure(outcome.error, 'it rejected');
        const error = new ShutdownError(HealthErrorCodes.lockReleaseFailed, `Releasing the lock failed: ${detail}`, {
          cause: outcome.error,
        });
        errors.push(error);
        logger.error({ code: error.code, err: error.message }, 'lock release failed');
      } else logger.debug('lock released');
    }
    return callExit(failed || errors.length > 0 ? 1 : 0, false, reason);
  };

  const start = (reason: string, failed: boolean): Promise<ShutdownResult> => {
    if (running) return running;
    startedAt = performance.now();
    // Ref'd: it is the promise that the process ends, whatever the hooks do.
    totalTimer = setTimeout(
      () =>
        force(
          new ShutdownError(HealthErrorCodes.shutdownTimeout, `Shutdown did not finish within ${o.timeout} ms; forcing exit`),
          reason,
          true,
        ),
      o.timeout,
    );
    forcedResult = new Promise<ShutdownResult>((resolve) => (resolveForced = resolve));
    running = Promise.race([sequence(reason, failed), forcedResult]);
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    const second = signalled;
    signalled = true;
    if (second && running) {
      force(new ShutdownError(HealthErrorCodes.shutdownForced, `Second signal (${signal}) during shutdown; forcing exit`), signal, false);
      return;
    }
    if (running) {
      // Started by shutdown() or an uncaught error: this is the first signal, and the sequence already runs.
      logger.info({ signal }, `${signal} during shutdown; it goes on (another signal forces exit)`);
      return;
    }
    void start(signal, false);
  };
  const onError = (kind: 'uncaughtException' | 'unhandledRejection') => (error: unknown) => {
    logger.error({ err: error instanceof Error ? error.message : String(error), kind }, `${kind}; shutting down`);
    void start(kind, true);
  };
  const onUncaught = onError('uncaughtException');
  const onRejection = onError('unhandledRejection');

  for (const server of options.servers ?? []) addServer(server);
  for (const hook of options.hooks ?? []) addHook(hook.name, hook.fn, hook);
  for (const signal of o.signals) process.on(signal, onSignal);
  if (o.handleErrors) {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onRejection);
  }
  logger.debug(
    { signals: o.signals, servers: drains.size, hooks: hooks.size, drainDelay: o.drainDelay, drainTimeout: o.drainTimeout },
    'shutdown installed',
  );

  const uninstall = () => {
    if (!installed) return;
    installed = false;
    for (const signal of o.signals) process.off(signal, onSignal);
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onRejection);
    for (const drain of drains.values()) drain.untrack();
  };

  return {
    shutdown: (reason = 'shutdown()') => start(reason, false),
    addHook,
    addServer,
    get inFlight() {
      let n = 0;
      for (const drain of drains.values()) n += drain.inFlight;
      return n;
    },
    get shuttingDown() {
      return running !== undefined;
    },
    drainDelay: o.drainDelay,
    drainTimeout: o.drainTimeout,
    uninstall,
    [asyncDispose]: async () => uninstall(),
  };
}
