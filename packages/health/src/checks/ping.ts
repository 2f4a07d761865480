import { assertNoProblems, commonProblems, definition, since, type BuiltInCheckOptions } from './define.js';
import { withDetails } from './details.js';
import type { CheckDefinition } from '../health/options.js';

/** Options of `pingCheck`. */
export type PingCheckOptions = BuiltInCheckOptions;

/**
 * A check for anything else: calls `fn` (e.g. `() => prisma.$queryRaw\`SELECT 1\``, `() =>
 * mongoose.connection.db.admin().ping()`) and passes when it resolves (with anything but `false`).
 * Reports `latencyMs`; what `fn` returns is never reported. `fn` gets an AbortSignal that aborts at
 * the timeout, to hand to drivers that take one.
 * @param name what is pinged, for the error message (`"prisma ping failed: …"`)
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) when `name` is empty, `fn` is not a function, or an option is wrong
 */
export function pingCheck(name: string, fn: (signal: AbortSignal) => unknown, options: PingCheckOptions = {}): CheckDefinition {
  const problems = commonProblems(options, []);
  if (typeof fn !== 'function') problems.unshift('fn must be a function that resolves when the dependency answers');
  if (typeof name !== 'string' || name === '') problems.unshift(`name must be a non-empty string (got ${JSON.stringify(name)})`);
  assertNoProblems('pingCheck', problems);

  const check = async (signal: AbortSignal) => {
    const start = performance.now();
    let value: unknown;
    try {
      value = await fn(signal);
    } catch (error) {
      const message = error instanceof Error ? error.message || error.name : String(error);
      throw withDetails(new Error(`${name} ping failed: ${message}`, { cause: error }), { latencyMs: since(start) });
    }
    if (value === false) throw withDetails(new Error(`${name} ping returned false`), { latencyMs: since(start) });
    return withDetails({}, { latencyMs: since(start) });
  };
  return definition(options, check);
}
