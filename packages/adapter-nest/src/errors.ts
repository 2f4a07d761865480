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
export class PmNestError extends Error {
  /** Stable machine-readable code. */
  readonly code: NestErrorCode;

  constructor(code: NestErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Thrown when options are wrong; lists every problem, not just the first. */
export class InvalidPmOptionsError extends PmNestError {
  /** One line per problem found. */
  readonly problems: readonly string[];

  constructor(where: string, problems: readonly string[]) {
    super(
      NestErrorCodes.invalidOptions,
      `Invalid ${where} options (fix each and try again):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
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
    const named = describePortHolder(holder);
    const who = named ? ` by ${named}` : '';
    const stop =
      holder?.pid != null
        ? `Stop it with \`kill ${holder.pid}\`, or`
        : `Stop the process using it (\`lsof -iTCP:${port} -sTCP:LISTEN\`), or`;
    super(NestErrorCodes.portInUse, `Port ${port} is already in use${who}. ${stop} set PORT to a free port.`, { cause });
    this.port = port;
    this.holder = holder;
  }
}
