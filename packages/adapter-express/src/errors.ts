import { CodedError, problemsMessage } from '@pm/kernel/errors';
import { portInUseMessage } from '@pm/kernel/port-in-use';
import { describePortHolder, type PortHolder } from '@pm/lock';

export type { PortHolder };

/** Every error code @pm/adapter-express throws. Stable: match on these, not on messages. */
export const ExpressErrorCodes = {
  /** `serve()` got options it cannot use; `problems` lists each one. */
  invalidOptions: 'PM_EXPRESS_INVALID_OPTIONS',
  /** The port is taken by another process (EADDRINUSE). */
  portInUse: 'PM_PORT_IN_USE',
  /** The app's own `ready()` threw or rejected; the server was closed and the lock released. */
  readyFailed: 'PM_READY_FAILED',
} as const;

/** One of {@link ExpressErrorCodes}. */
export type ExpressErrorCode = (typeof ExpressErrorCodes)[keyof typeof ExpressErrorCodes];

/** Base class of every error this package throws; `code` is stable, `cause` is preserved. */
export class PmExpressError extends CodedError<ExpressErrorCode> {}

/** Thrown by `serve()` when its options are wrong; lists every problem, not just the first. */
export class InvalidServeOptionsError extends PmExpressError {
  /** One line per problem found. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(ExpressErrorCodes.invalidOptions, problemsMessage('Invalid serve() options (fix each and try again)', problems));
    this.problems = problems;
  }
}

/** Thrown by `serve()` when the port is taken. The lock was released before this was thrown. */
export class PortInUseError extends PmExpressError {
  /** The port that could not be bound. */
  readonly port: number;
  /** The process listening on it, when it could be found (Linux /proc, else `lsof`). */
  readonly holder: PortHolder | null;

  constructor(port: number, holder: PortHolder | null, cause: unknown) {
    super(ExpressErrorCodes.portInUse, portInUseMessage(port, { named: describePortHolder(holder), pid: holder?.pid }), { cause });
    this.port = port;
    this.holder = holder;
  }
}

/** Thrown by `serve()` when the app's `ready()` fails. The server was closed and the lock released. */
export class ReadyFailedError extends PmExpressError {
  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      ExpressErrorCodes.readyFailed,
      `The app's ready() failed (${reason}); the server was closed and the lock released. Fix the start-up error and start again.`,
      { cause },
    );
  }
}
