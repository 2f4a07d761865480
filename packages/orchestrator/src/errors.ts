import { CodedError } from '@pm/kernel/errors';
import type { PortHolder } from '@pm/lock';

export type { PortHolder };

/** Every error code @pm/orchestrator throws or reports. Stable: match on these, not on messages. */
export const OrchestratorErrorCodes = {
  configInvalid: 'PM_CONFIG_INVALID',
  configNotFound: 'PM_CONFIG_NOT_FOUND',
  configLoadFailed: 'PM_CONFIG_LOAD_FAILED',
  dependencyCycle: 'PM_DEPENDENCY_CYCLE',
  portInUse: 'PM_PORT_IN_USE',
  appNotFound: 'PM_APP_NOT_FOUND',
  startFailed: 'PM_START_FAILED',
  daemonUnreachable: 'PM_DAEMON_UNREACHABLE',
  stateCorrupt: 'PM_STATE_CORRUPT',
  unsafePath: 'PM_UNSAFE_PATH',
} as const;

/** One of {@link OrchestratorErrorCodes}. */
export type OrchestratorErrorCode = (typeof OrchestratorErrorCodes)[keyof typeof OrchestratorErrorCodes];

/** Base class of every error @pm/orchestrator throws; `code` is stable, `cause` is preserved. */
export class PmOrchestratorError extends CodedError<OrchestratorErrorCode> {}

/** One problem found in a config: where (`path`, e.g. `apps[0].ready.timeout`) and what was expected. */
export interface ConfigProblem {
  /** Key path of the bad value, e.g. `apps[1].restart.policy`. */
  path: string;
  /** What was expected there, and what was found. */
  message: string;
}

/** Thrown when a config is invalid; `problems` lists every problem, not just the first. */
export class ConfigInvalidError extends PmOrchestratorError {
  /** Every problem found. */
  readonly problems: readonly ConfigProblem[];
  /** The config file, when the config came from one. */
  readonly file: string | undefined;

  constructor(problems: readonly ConfigProblem[], file?: string) {
    super(
      OrchestratorErrorCodes.configInvalid,
      `Invalid pm config${file ? ` in ${file}` : ''} (${problems.length} problem${problems.length === 1 ? '' : 's'}); fix these and try again:\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n'),
    );
    this.problems = problems;
    this.file = file;
  }
}

/** Thrown when no config file is found in the project folder. */
export class ConfigNotFoundError extends PmOrchestratorError {
  /** The folder searched. */
  readonly dir: string;

  constructor(dir: string, candidates: readonly string[]) {
    super(
      OrchestratorErrorCodes.configNotFound,
      `No pm config found in ${dir} (looked for ${candidates.join(', ')}). ` +
        'Run `pm init` to write a starter config, or pass one with `-c <file>`.',
    );
    this.dir = dir;
  }
}

/** Thrown when a config file exists but cannot be read or evaluated (syntax error, throwing import). */
export class ConfigLoadFailedError extends PmOrchestratorError {
  /** The file that failed. */
  readonly file: string;

  constructor(file: string, cause: unknown) {
    super(
      OrchestratorErrorCodes.configLoadFailed,
      `Could not load ${file}: ${(cause as Error)?.message ?? String(cause)}. Fix the file (run it with node to see the full error) and try again.`,
      { cause },
    );
    this.file = file;
  }
}

/** Thrown when `dependsOn` links form a cycle; `cycle` names it (first name repeated at the end). */
export class DependencyCycleError extends PmOrchestratorError {
  /** The apps in the cycle, e.g. `['api', 'db', 'api']`. */
  readonly cycle: readonly string[];

  constructor(cycle: readonly string[]) {
    super(
      OrchestratorErrorCodes.dependencyCycle,
      `Apps depend on each other in a cycle: ${cycle.join(' -> ')}. Remove one of these dependsOn entries.`,
    );
    this.cycle = cycle;
  }
}

/** Thrown when a command names an app the config does not have. */
export class AppNotFoundError extends PmOrchestratorError {
  /** The unknown name. */
  readonly app: string;

  constructor(app: string, known: readonly string[]) {
    super(OrchestratorErrorCodes.appNotFound, `No app named "${app}". Known apps: ${known.join(', ') || '(none)'}.`);
    this.app = app;
  }
}

/** Thrown by `start()` when an app exits before it is ready, or is not ready within its timeout. */
export class StartFailedError extends PmOrchestratorError {
  /** The app that failed. */
  readonly app: string;

  constructor(app: string, reason: string, options?: { cause?: unknown }) {
    super(
      OrchestratorErrorCodes.startFailed,
      `"${app}" failed to start: ${reason}. See its log (\`pm logs ${app}\`) and fix the app or its ready settings.`,
      options,
    );
    this.app = app;
  }
}

/**
 * Thrown by `start()` when more than one app failed to start, so the user fixes every app in one go:
 * `errors` holds each failure (a StartFailedError, a PortInUseError …) and the message lists them
 * all; `app` and `cause` are the first one's. A StartFailedError, so code written for one failure
 * still matches.
 */
export class StartFailuresError extends StartFailedError {
  /** Every failure, in the order the apps were started. */
  readonly errors: readonly Error[];

  constructor(errors: readonly (Error & { app?: string })[]) {
    const first = errors[0]!;
    super(first.app ?? '?', first.message, { cause: first });
    this.message = `${errors.length} apps failed to start:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`;
    this.errors = errors;
  }
}

/** Thrown by the CLI client when the daemon cannot be reached or started. */
export class DaemonUnreachableError extends PmOrchestratorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(OrchestratorErrorCodes.daemonUnreachable, message, options);
  }
}

/** Reported (not thrown) when the state file is corrupt and the previous copy was used instead. */
export class StateCorruptError extends PmOrchestratorError {
  /** The corrupt file. */
  readonly file: string;

  constructor(file: string, recovered: boolean, cause: unknown) {
    super(
      OrchestratorErrorCodes.stateCorrupt,
      `State file ${file} is corrupt; ${recovered ? 'recovered from its previous copy' : 'no usable previous copy, starting with empty state'}. ` +
        'Check the disk; run `pm status` to see what is supervised.',
      { cause },
    );
    this.file = file;
  }
}

/**
 * Thrown when a folder or file pm would write in `PM_HOME` could be controlled by another user: a folder
 * others can write (without the sticky bit), something owned by another uid, a symlink, a FIFO or a
 * hard-linked file where pm expects its own regular file. The message names the path, the problem and the fix.
 */
export class UnsafePathError extends PmOrchestratorError {
  /** The folder or file refused. */
  readonly path: string;

  constructor(path: string, problem: string, fix: string, options?: { cause?: unknown }) {
    super(OrchestratorErrorCodes.unsafePath, `Refusing to use ${path}: ${problem}. ${fix}`, options);
    this.path = path;
  }
}
