/** Numbers (and short facts) a check puts in the report beside its status: latency, pool sizes, free bytes. */
export type CheckDetails = Record<string, number | string | boolean | null>;

// A registered symbol, not a class: the ESM and CommonJS builds of this package may both be loaded
// in one process (an app in ESM, an adapter in CJS), and a Symbol.for key is the same in both.
const DETAILS = Symbol.for('@pm/health.checkDetails');

/** Marks `target` (a check's result, or the error it throws) as carrying `details` for the report. */
export function withDetails<T extends object>(target: T, details: CheckDetails): T {
  Object.defineProperty(target, DETAILS, { value: details, enumerable: false });
  return target;
}

/** The details a check attached to what it returned or threw, if any. Anything else a check returns is never reported. */
export function detailsOf(value: unknown): CheckDetails | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as { [DETAILS]?: CheckDetails })[DETAILS];
}
