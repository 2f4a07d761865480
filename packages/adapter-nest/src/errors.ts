import { CodedError, problemsMessage } from '@pm/kernel/errors';
import { portInUseMessage } from '@pm/kernel/port-in-use';
import { describePortHolder, type PortHolder } from '@pm/lock';

export type { PortHolder };

/** Every error code @pm/adapter-nest throws. Stable: match on these, not on messages. */
export const NestErrorCodes = {
  /** `PmModule.forRoot` / `forRootAsync` / `serve()` got options they cannot use; `problems` lists each one. */
  invalidOptions: 'PM_NEST_INVALID_OPTIONS',
  /** `serve()` was given an app whose module tree does not import `PmModule`. */
  moduleMissing: 'PM_NEST_MODULE_MISSING',
  /** The port is taken by another process (EADDRINUSE). */
  portInUse: 'PM_PORT_IN_USE',
} as const;

/** One of {@link NestErrorCodes}. */
export type NestErrorCode = (typeof NestErrorCodes)[keyof typeof NestErrorCodes];

/** Base class of every error this package throws; `code` is stable, `cause` is preserved. */
export class PmNestError extends CodedError<NestErrorCode> {}

/** Thrown when options are wrong; lists every problem, not just the first. */
export class InvalidPmOptionsError extends PmNestError {
  /** One line per problem found. */
  readonly problems: readonly string[];

  constructor(where: string, problems: readonly string[]) {
    super(NestErrorCodes.invalidOptions, problemsMessage(`Invalid ${where} options (fix each and try again)`, problems));
    this.problems = problems;
  }
}

/** Thrown by `serve()` when the app does not import `PmModule`. */
export class PmModuleMissingError extends PmNestError {
  constructor(cause: unknown) {
    super(
      NestErrorCodes.moduleMissing,
      "serve() needs PmModule: add PmModule.forRoot(...) (or forRootAsync) to your root module's imports.",
      { cause },
    );
  }
}

/** Thrown by `serve()` when the port is taken. The app was closed and the lock released before this was thrown. */
export class PortInUseError extends PmNestError {
  /** The port that could not be bound. */
  readonly port: number;
  /** The process listening on it, when it could be found (Linux /proc, else `lsof`). */
  readonly holder: PortHolder | null;

  constructor(port: number, holder: PortHolder | null, cause: unknown) {
    super(NestErrorCodes.portInUse, portInUseMessage(port, { named: describePortHolder(holder), pid: holder?.pid }), { cause });
    this.port = port;
    this.holder = holder;
  }
}
