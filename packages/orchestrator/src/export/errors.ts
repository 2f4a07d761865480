/**
 * Thrown when an export cannot be made with the options given (e.g. compose without `--image` for a
 * `command` app). Code `PM_EXPORT_OPTION_INVALID`; the message says which option to pass.
 */
export class ExportOptionError extends Error {
  /** Stable machine-readable code. */
  readonly code = 'PM_EXPORT_OPTION_INVALID';

  constructor(message: string) {
    super(message);
    this.name = 'ExportOptionError';
  }
}
