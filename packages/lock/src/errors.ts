import { CodedError, problemsMessage } from '@pm/kernel/errors';
import type { HolderRecord } from './record.js';

/** Every error code @pm/lock throws or reports. Stable: match on these, not on messages. */
export const LockErrorCodes = {
  instanceRunning: 'PM_INSTANCE_RUNNING',
  unwritable: 'PM_LOCK_UNWRITABLE',
  compromised: 'PM_LOCK_COMPROMISED',
  invalidOptions: 'PM_LOCK_INVALID_OPTIONS',
  backendUnavailable: 'PM_LOCK_BACKEND_UNAVAILABLE',
} as const;

/** One of {@link LockErrorCodes}. */
export type LockErrorCode = (typeof LockErrorCodes)[keyof typeof LockErrorCodes];

/** Base class of every error @pm/lock throws; `code` is stable, `cause` is preserved. */
export class PmLockError extends CodedError<LockErrorCode> {}

/**
 * Thrown when another live process holds the lock. `.lock` is that holder's record
 * (undefined only when the holder neither left a readable record nor answered).
 */
export class InstanceAlreadyRunningError extends PmLockError {
  /** The live holder's record. */
  readonly lock: HolderRecord | undefined;
  /** Where the lock lives (file path, or backend description). */
  readonly location: string;
  /**
   * False when `.lock` names a process whose identity could not be verified (no start time in the
   * record, or its process now has another start time or user): the message then names the PID
   * without telling anyone to stop it. True for verified holders and for records from network backends.
   */
  readonly holderVerified: boolean;

  /** @param options.verified whether the holder's identity was verified. @default true */
  constructor(lock: HolderRecord | undefined, location: string, name: string, options: { verified?: boolean } = {}) {
    const verified = options.verified ?? true;
    super(LockErrorCodes.instanceRunning, describeRunningInstance(lock, location, name, verified));
    this.lock = lock;
    this.location = location;
    this.holderVerified = verified;
  }
}

/** Thrown when the lock file or its folder cannot be created or written. */
export class LockUnwritableError extends PmLockError {
  /** The path that could not be written. */
  readonly path: string;

  constructor(path: string, cause: unknown) {
    const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
    super(
      LockErrorCodes.unwritable,
      `Cannot write the lock file ${path} (${reason}). ` +
        'Make its folder writable by this user, or point PID_FILE_PATH (or the `path` option) at a writable location.',
      { cause },
    );
    this.path = path;
  }
}

/** Reported (never thrown from a timer) when a held lock was lost: its file removed or replaced, or its lease/connection lost. */
export class LockCompromisedError extends PmLockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(LockErrorCodes.compromised, message, options);
  }
}

/** Thrown synchronously-early by `acquireInstanceLock` when options are wrong; lists every problem. */
export class InvalidLockOptionsError extends PmLockError {
  /** One line per problem found. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(LockErrorCodes.invalidOptions, problemsMessage('Invalid @pm/lock options', problems));
    this.problems = problems;
  }
}

/** Thrown when a network backend (Redis, PostgreSQL) cannot be reached or refuses us. */
export class LockBackendUnavailableError extends PmLockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(LockErrorCodes.backendUnavailable, message, options);
  }
}

/** The shell command that shows who a PID is, for holders we must not tell anyone to kill. */
export const checkPidCommand = (pid: number): string => `ps -o pid,user,lstart,args -p ${pid}`;

function describeRunningInstance(lock: HolderRecord | undefined, location: string, name: string, verified: boolean): string {
  if (!lock) {
    return (
      `Another instance of "${name}" holds the lock at ${location}, but it left no readable record and did not answer. ` +
      'Wait for it to exit, or find it with `ps`/`lsof` and stop it.'
    );
  }
  if (!verified) {
    return (
      `Another process holds the lock of "${name}" at ${location}. Its record names PID ${lock.pid}, but that could not be ` +
      'verified (no start time recorded, or that PID now has another start time or user), so do not stop it on this say-so: ' +
      `check it with \`${checkPidCommand(lock.pid)}\`, and wait for the holder to exit.`
    );
  }
  const parts = [
    `Another instance of "${name}" is already running (PID ${lock.pid} on ${lock.hostname}, started ${lock.startedAt}` +
      (lock.port != null ? `, port ${lock.port}` : '') +
      ').',
    `Stop it with \`kill ${lock.pid}\` (or Ctrl-C in its terminal), then start this one again.`,
  ];
  if (lock.port != null) parts.push(`Its health: http://localhost:${lock.port}/health`);
  parts.push(`Lock: ${location}`);
  return parts.join(' ');
}
