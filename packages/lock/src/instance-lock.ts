import { asyncDispose } from '@pm/kernel/guards';
import type { BackendHandle } from './backend.js';
import { LockCompromisedError } from './errors.js';
import type { Logger } from './logger.js';
import type { HolderRecord } from './record.js';

/** A held instance lock. */
export interface InstanceLock extends AsyncDisposable {
  /** This holder's record, as stored in the lock. */
  readonly info: Readonly<HolderRecord>;
  /** Where the lock lives (file path or backend address). */
  readonly location: string;
  /** Backend kind: `file`, `redis`, `postgres`, … */
  readonly backend: string;
  /** Strictly increasing token from backends that issue one (Redis); undefined otherwise. */
  readonly fencingToken: number | undefined;
  /** Aborted (reason: a `LockCompromisedError`) when the lock is lost while held. */
  readonly signal: AbortSignal;
  /** True once the lock was lost while held. */
  readonly compromised: boolean;
  /** True once `release()` was called. */
  readonly released: boolean;
  /**
   * Throws the `LockCompromisedError` if the lock is lost, checking now rather than waiting for the
   * next background check: call it right before work the lock protects (after a GC pause or a laptop
   * sleep, timers may not have run yet). Cheap: one `lstat` for files, a clock read for Redis leases.
   */
  throwIfCompromised(): void;
  /** Gives the lock up; idempotent, and a no-op after the lock was lost. */
  release(): Promise<void>;
}

/** Wires a backend handle to the public InstanceLock: loss reporting, release-on-exit, disposal. */
export function createInstanceLock(input: {
  record: HolderRecord;
  handle: BackendHandle;
  backend: string;
  logger: Logger;
  onCompromised: ((error: LockCompromisedError) => void) | undefined;
  releaseOnExit: boolean;
}): InstanceLock {
  const { record, handle, logger } = input;
  // The AbortController is made on first use of `signal`: creating one costs more than the rest of
  // this function, and most holders never read it.
  let controller: AbortController | undefined;
  let lost: LockCompromisedError | undefined;
  let releasing: Promise<void> | undefined;
  const exitHandler = () => handle.releaseSync?.();
  if (input.releaseOnExit && handle.releaseSync) process.once('exit', exitHandler);

  handle.watch((cause) => {
    if (releasing || lost) return;
    const error = cause instanceof LockCompromisedError ? cause : new LockCompromisedError(cause.message, { cause });
    lost = error;
    controller?.abort(error);
    logger.warn({ location: handle.location, err: error.message }, 'instance lock compromised');
    try {
      input.onCompromised?.(error);
    } catch (callbackError) {
      logger.error({ err: String(callbackError) }, 'onCompromised callback threw');
    }
  });

  const release = (): Promise<void> => {
    releasing ??= (async () => {
      process.off('exit', exitHandler);
      await handle.release();
      logger.debug({ location: handle.location }, 'instance lock released');
    })();
    return releasing;
  };

  return {
    info: Object.freeze({ ...record, metadata: Object.freeze({ ...record.metadata }) }),
    location: handle.location,
    backend: input.backend,
    fencingToken: handle.fencingToken,
    get signal() {
      controller ??= new AbortController();
      if (lost && !controller.signal.aborted) controller.abort(lost);
      return controller.signal;
    },
    get compromised() {
      return lost !== undefined;
    },
    get released() {
      return releasing !== undefined;
    },
    throwIfCompromised() {
      if (releasing === undefined) handle.verify?.();
      if (lost) throw lost;
    },
    release,
    [asyncDispose]: release,
  };
}
