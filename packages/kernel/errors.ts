/**
 * Base of every @pm error class: a stable `code` from the package's closed set, `name` set to the
 * subclass's name, `cause` preserved. Each package derives its own public base (`PmLockError`, ...).
 */
export class CodedError<Code extends string> extends Error {
  /** Stable machine-readable code. */
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The message of an invalid-options error: a title, then one indented line per problem. */
export function problemsMessage(title: string, problems: readonly string[]): string {
  return `${title}:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
}
