import type { PmHealthError } from '../errors.js';
import type { DrainableServer, HookFunction, HookOptions } from './options.js';

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
