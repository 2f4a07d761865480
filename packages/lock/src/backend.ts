import type { Logger } from './logger.js';
import type { HolderRecord } from './record.js';

/** What `acquireInstanceLock` hands a backend for one attempt. */
export interface BackendRequest {
  /** Lock name. */
  name: string;
  /** The record this process would hold. */
  record: HolderRecord;
  /** Logger resolved from the options. */
  logger: Logger;
}

/** A lock a backend has granted. */
export interface BackendHandle {
  /** Human-readable place of the lock (file path, `redis://…/key`, …) for messages. */
  readonly location: string;
  /** Fencing token, for backends that issue one (Redis). */
  readonly fencingToken?: number;
  /**
   * Starts watching for loss; `onLost` is called at most once, never throws into a timer.
   * Timers must be `unref()`ed.
   */
  watch(onLost: (error: Error) => void): void;
  /**
   * Checks synchronously, now, that the lock is still held, and reports a loss through `watch`'s
   * `onLost` before returning. Optional: backends without a cheap check rely on their watch alone.
   */
  verify?(): void;
  /** Gives the lock up. Called once; must not throw when the lock was already lost. */
  release(): Promise<void>;
  /** Best-effort synchronous release for `process.on('exit')`; optional. */
  releaseSync?(): void;
}

/** Result of one acquisition attempt. */
export type TryAcquireResult =
  | { acquired: true; handle: BackendHandle }
  | {
      acquired: false;
      /** The live holder, when known. */
      holder: HolderRecord | undefined;
      /** Where the lock lives, for the error message. */
      location: string;
      /** Resolves early when the holder may have let go (optional; else the caller polls). */
      waitForChange?(ms: number): Promise<void>;
      /** Frees resources of a probe the caller does not wait on. */
      dispose?(): void;
    };

/** Result of {@link LockBackend.inspect} and `inspectInstanceLock`. */
export interface InspectResult {
  /** `free`: nobody holds it; `held`: a live holder; `stale`: a record is left by a holder that is gone. */
  state: 'free' | 'held' | 'stale';
  /** The holder's record when one is known. */
  holder?: HolderRecord;
  /** Where the lock lives. */
  location: string;
}

/**
 * A place where instance locks live. The local file backend is the default; `@pm/lock/redis` and
 * `@pm/lock/postgres` provide the others. Implement this to add one.
 */
export interface LockBackend {
  /** Short name for logs and messages (`file`, `redis`, `postgres`). */
  readonly kind: string;
  /** One non-blocking attempt. */
  tryAcquire(request: BackendRequest): Promise<TryAcquireResult>;
  /** Reads the lock's state; never changes anything. */
  inspect(request: Omit<BackendRequest, 'record'>): Promise<InspectResult>;
}
