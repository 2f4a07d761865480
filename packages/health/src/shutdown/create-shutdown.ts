import { performance } from 'node:perf_hooks';
import { asyncDispose } from '@pm/kernel/guards';
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
import type { HookOutcome, Shutdown, ShutdownResult } from './types.js';
import { ServerDrain } from './server-drain.js';

export type { HookOutcome, ShutdownResult, Shutdown } from './types.js';

/** What one shutdown run holds, from its start to the exit. */
interface Run {
  readonly startedAt: number;
  /** Signals received during the run, the one that started it included: the second forces exit. */
  signals: number;
  /** Settles with the result of a forced exit (total timeout or second signal). */
  readonly forced: Promise<ShutdownResult>;
  readonly resolveForced: (result: ShutdownResult) => void;
  readonly totalTimer: NodeJS.Timeout;
  /** What `shutdown()` returns: the sequence's result or the forced one, whichever comes first. */
  promise: Promise<ShutdownResult>;
}

interface HookEntry {
  name: string;
  fn: HookFunction;
  order: number;
  timeout: number;
  seq: number;
}

/** How long a timeout-forced exit waits for the lock release (at most `hookTimeout`). */
const FORCED_RELEASE_MS = 1000;

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
  /**
   * Where the shutdown is: `idle` until a signal, `shutdown()` or an uncaught error; `running` the
   * sequence; `forcing` once the total timeout or a second signal has abandoned it (the exit is then
   * force()'s to make); `exited` once `exit` was called. Only ever moves forward.
   */
  let phase: 'idle' | 'running' | 'forcing' | 'exited' = 'idle';
  /** What one shutdown run holds; set when the phase leaves `idle`. */
  let run: Run | undefined;
  // Read through a call: hooks and timers change the phase while the sequence awaits, which TypeScript's narrowing cannot see.
  const current = (): typeof phase => phase;
  let installed = true;
  let lockRelease: Promise<void> | undefined;
  const releaseOnce = (lock: NonNullable<ShutdownOptions['lock']>): Promise<void> =>
    (lockRelease ??= Promise.resolve().then(() => lock.release()));
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
      if (phase === 'idle' && hooks.get(name) === entry) hooks.delete(name);
    };
  };

  const callExit = (code: 0 | 1, forced: boolean, reason: string): ShutdownResult => {
    const result: ShutdownResult = {
      reason,
      exitCode: code,
      forced,
      durationMs: Math.round((performance.now() - (run?.startedAt ?? 0)) * 100) / 100,
      hooks: [...outcomes],
      errors: [...errors],
    };
    if (phase !== 'exited') {
      phase = 'exited';
      clearTimeout(run?.totalTimer);
      logger[code === 0 ? 'info' : 'error']({ reason, exitCode: code, forced, durationMs: result.durationMs }, 'shutdown complete');
      o.exit(code);
    }
    return result;
  };

  const exitForced = (reason: string): void => void run?.resolveForced(callExit(1, true, reason));

  /**
   * Exit with code 1: total timeout or second signal; hooks still pending are abandoned. On the total
   * timeout the lock is still released on the way out, bounded by FORCED_RELEASE_MS, so a replacement
   * need not wait for a Redis lease to expire; a second signal (also during that release) means now.
   */
  const force = (error: ShutdownError, reason: string, releaseLock: boolean) => {
    if (phase === 'exited') return;
    if (phase === 'forcing') {
      if (!releaseLock) exitForced(reason);
      return;
    }
    phase = 'forcing';
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

  const sequence = async (reason: string, failed: boolean): Promise<ShutdownResult> => {
    logger.info({ reason, drainDelay: o.drainDelay, timeout: o.timeout }, 'shutdown started');
    options.health?.setShuttingDown();
    for (const drain of drains.values()) drain.startDraining();
    if (o.drainDelay > 0) {
      logger.debug({ drainDelay: o.drainDelay }, 'waiting for load balancers to see /readyz 503');
      await sleep(o.drainDelay);
    }
    if (current() === 'exited') return callExit(1, true, reason);

    logger.debug({ servers: drains.size }, 'closing servers, waiting for in-flight requests');
    const cut = (await Promise.all([...drains.values()].map((d) => d.drain(o.drainTimeout, o.drainDelay > 0)))).reduce((a, n) => a + n, 0);
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
      if (current() !== 'running') break; // forced: the rest is abandoned, the exit is force()'s to make
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
    if (current() === 'exited') return callExit(1, true, reason);
    if (current() === 'forcing') return run!.forced;

    // Last, so a replacement instance can't start while this one still has work in progress.
    const lock = options.lock;
    if (lock) {
      const outcome = await runBounded(() => releaseOnce(lock), o.hookTimeout);
      if (current() === 'forcing') return run!.forced; // the total timeout fired meanwhile: force() waits for this same release
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

  const start = (reason: string, failed: boolean, bySignal = false): Promise<ShutdownResult> => {
    if (run) return run.promise;
    let resolveForced!: (result: ShutdownResult) => void;
    const forced = new Promise<ShutdownResult>((resolve) => (resolveForced = resolve));
    // Ref'd: it is the promise that the process ends, whatever the hooks do.
    const totalTimer = setTimeout(
      () =>
        force(
          new ShutdownError(HealthErrorCodes.shutdownTimeout, `Shutdown did not finish within ${o.timeout} ms; forcing exit`),
          reason,
          true,
        ),
      o.timeout,
    );
    run = { startedAt: performance.now(), signals: bySignal ? 1 : 0, forced, resolveForced, totalTimer, promise: forced };
    phase = 'running';
    run.promise = Promise.race([sequence(reason, failed), forced]);
    return run.promise;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (!run) return void start(signal, false, true);
    // Only a second signal forces exit, not the first one after `shutdown()` or an uncaught error.
    if (++run.signals >= 2) {
      force(new ShutdownError(HealthErrorCodes.shutdownForced, `Second signal (${signal}) during shutdown; forcing exit`), signal, false);
      return;
    }
    logger.info({ signal }, `${signal} during shutdown; it goes on (another signal forces exit)`);
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
      return phase !== 'idle';
    },
    drainDelay: o.drainDelay,
    drainTimeout: o.drainTimeout,
    uninstall,
    [asyncDispose]: async () => uninstall(),
  };
}
