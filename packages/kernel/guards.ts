/** True for a plain object-like value (not null, not an array): the shape options and records have. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Node 20 has `Symbol.asyncDispose`; the registry symbol keeps older runtimes from crashing at import. */
export const asyncDispose: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for('nodejs.asyncDispose') as typeof Symbol.asyncDispose);
