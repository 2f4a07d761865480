import type { Logger } from './logger.js';
import type { HolderRecord } from './record.js';

/**
 * What `acquireInstanceLock` hands a backend for each attempt of one acquisition. One acquisition
 * (one `acquireInstanceLock` call) may make many attempts while it waits; every attempt of it gets
 * the same `acquisition` object, and no other acquisition ever gets that object.
 */
export interface BackendRequest {
  /** Lock name. */
  name: string;
  /** The record this process would hold. */
  record: HolderRecord;
  /** Logger resolved from the options. */
  logger: Logger;
  /**
   * Identity of this acquisition, the same object on each of its attempts. A backend that carries
   * state from one attempt to the next (a Redis lease token, so a retried request recognises its own
   * lease; a PostgreSQL connection waiting in the server's lock queue) keys it on this object, in a
   * `WeakMap`, so the state is dropped with the acquisition.
   */
  readonly acquisition: object;
}

/** What `inspect` is told: which lock, and where to log. */
export type InspectRequest = Pick<BackendRequest, 'name' | 'logger'>;

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
      /**
       * False when the holder's identity could not be verified (a record without a start time, or one
       * whose process has another start time or user): the error then names the PID without telling
       * anyone to kill it. @default true (a record from a server the app authenticates to)
       */
      holderVerified?: boolean;
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
  /** False when `holder` names a process whose identity could not be verified (see {@link TryAcquireResult}). @default true */
  holderVerified?: boolean;
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
  /**
   * One non-blocking attempt. Called again with the same `request` (same `acquisition`) while the
   * caller waits; a result's `waitForChange`/`dispose` belong to that attempt only.
   */
  tryAcquire(request: BackendRequest): Promise<TryAcquireResult>;
  /** Reads the lock's state; never changes anything. */
  inspect(request: InspectRequest): Promise<InspectResult>;
}
