import { CodedError, problemsMessage } from '@pm/kernel/errors';

/** Every error code @pm/health throws or reports. Stable: match on these, not on messages. */
export const HealthErrorCodes = {
  /** `createHealth` or `createShutdown` got options it cannot use; `problems` lists each one. */
  invalidOptions: 'PM_HEALTH_INVALID_OPTIONS',
  /** A check or shutdown hook was added under a name already in use. */
  duplicateName: 'PM_HEALTH_DUPLICATE_NAME',
  /** A check threw, rejected, or returned `false` (reported in the check's `error`). */
  checkFailed: 'PM_HEALTH_CHECK_FAILED',
  /** A check did not settle within its timeout (reported in the check's `error`). */
  checkTimeout: 'PM_HEALTH_CHECK_TIMEOUT',
  /** A shutdown hook threw or rejected; shutdown went on without it. */
  hookFailed: 'PM_SHUTDOWN_HOOK_FAILED',
  /** A shutdown hook did not settle within its timeout; shutdown went on without it. */
  hookTimeout: 'PM_SHUTDOWN_HOOK_TIMEOUT',
  /** Connections still open after `drainTimeout` were destroyed; shutdown went on to the hooks. */
  drainTimeout: 'PM_SHUTDOWN_DRAIN_TIMEOUT',
  /** The total shutdown timeout elapsed and exit was forced. */
  shutdownTimeout: 'PM_SHUTDOWN_TIMEOUT',
  /** A second signal arrived during shutdown and exit was forced. */
  shutdownForced: 'PM_SHUTDOWN_FORCED',
  /** Releasing the lock failed or timed out during shutdown. */
  lockReleaseFailed: 'PM_SHUTDOWN_LOCK_RELEASE_FAILED',
} as const;

/** One of {@link HealthErrorCodes}. */
export type HealthErrorCode = (typeof HealthErrorCodes)[keyof typeof HealthErrorCodes];

/** Base class of every error @pm/health throws or reports; `code` is stable, `cause` is preserved. */
export class PmHealthError extends CodedError<HealthErrorCode> {}

/** Thrown by `createHealth` / `createShutdown` when options are wrong; lists every problem, not just the first. */
export class InvalidOptionsError extends PmHealthError {
  /** One line per problem found. */
  readonly problems: readonly string[];

  constructor(factory: string, problems: readonly string[]) {
    super(HealthErrorCodes.invalidOptions, problemsMessage(`Invalid ${factory} options (fix each and try again)`, problems));
    this.problems = problems;
  }
}

/** Thrown by `addCheck` / `addHook` when the name is taken: names key the report and the logs. */
export class DuplicateNameError extends PmHealthError {
  constructor(kind: 'check' | 'hook', name: string) {
    super(HealthErrorCodes.duplicateName, `A ${kind} named "${name}" already exists; pick another name or remove the first one.`);
  }
}

/** A health check's failure as shown in the report; `cause` holds what the check threw. */
export class CheckFailedError extends PmHealthError {
  /** Name of the check. */
  readonly check: string;

  constructor(check: string, cause: unknown) {
    super(HealthErrorCodes.checkFailed, describeFailure(cause, `Check "${check}" returned false`), { cause });
    this.check = check;
  }
}

/** A health check that did not settle within its timeout. */
export class CheckTimeoutError extends PmHealthError {
  /** Name of the check. */
  readonly check: string;
  /** The timeout that elapsed, in ms. */
  readonly timeout: number;

  constructor(check: string, timeout: number, stillRunning = false) {
    super(HealthErrorCodes.checkTimeout, `Check "${check}" timed out after ${timeout} ms${stillRunning ? ' and is still running' : ''}`);
    this.check = check;
    this.timeout = timeout;
  }
}

/** A shutdown hook that threw, rejected or timed out (`code` tells which). */
export class ShutdownHookError extends PmHealthError {
  /** Name of the hook. */
  readonly hook: string;

  constructor(
    hook: string,
    code: typeof HealthErrorCodes.hookFailed | typeof HealthErrorCodes.hookTimeout,
    message: string,
    cause?: unknown,
  ) {
    super(code, message, cause === undefined ? undefined : { cause });
    this.hook = hook;
  }
}

/** Why shutdown ended unclean as a whole: the total timeout, a second signal, a drain cut short, or a failed lock release. */
export class ShutdownError extends PmHealthError {
  constructor(
    code:
      | typeof HealthErrorCodes.shutdownTimeout
      | typeof HealthErrorCodes.shutdownForced
      | typeof HealthErrorCodes.lockReleaseFailed
      | typeof HealthErrorCodes.drainTimeout,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The message of whatever a check or hook threw, never its stack. */
export function describeFailure(cause: unknown, fallback: string): string {
  if (cause instanceof Error) return cause.message || cause.name;
  if (cause === false || cause === undefined) return fallback;
  return String(cause);
}
