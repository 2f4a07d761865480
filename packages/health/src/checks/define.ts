import { InvalidOptionsError } from '../errors.js';
import type { CheckDefinition, CheckFunction } from '../health/options.js';
import { checkBoolean, checkKnownKeys, checkMs, isRecord } from '../validate.js';

/** Options every built-in check takes. */
export interface BuiltInCheckOptions {
  /** Milliseconds before the check is cut off and reported as failed. @default the health `checkTimeout` (1000) */
  timeout?: number;
  /** A failure makes `/health` 503 (and fails the probes the check belongs to); `false`: informational, reported but never failing. @default true */
  critical?: boolean;
  /** Reuse a result for this many ms, so a burst of probes costs one query, not one per request. @default 1000 */
  cacheMs?: number;
  /** Run by `/readyz` (the check gates traffic). Only for critical checks. @default the value of `critical` */
  readiness?: boolean;
  /** Run by `/livez` (a failure restarts the container): only for checks of the process itself, never a dependency. @default false */
  liveness?: boolean;
}

/** Defaults of {@link BuiltInCheckOptions} (the README is tested against it). */
export const checkDefaults = { critical: true, cacheMs: 1000, liveness: false } as const;

const commonKeys = Object.keys({
  timeout: true,
  critical: true,
  cacheMs: true,
  readiness: true,
  liveness: true,
} satisfies Record<keyof BuiltInCheckOptions, true>);

/** Validates the shared options and the factory's own keys; returns the problems found so far. */
export function commonProblems(options: unknown, ownKeys: readonly string[]): string[] {
  const problems: string[] = [];
  if (!isRecord(options)) return ['options must be an object'];
  checkKnownKeys(problems, '', options, [...commonKeys, ...ownKeys]);
  checkMs(problems, 'timeout', options.timeout, 1, { timer: true, noLimit: true });
  checkBoolean(problems, 'critical', options.critical);
  checkMs(problems, 'cacheMs', options.cacheMs, 0, { timer: false });
  checkBoolean(problems, 'readiness', options.readiness);
  checkBoolean(problems, 'liveness', options.liveness);
  for (const probe of ['readiness', 'liveness'] as const) {
    if (options[probe] === true && options.critical === false) {
      problems.push(
        `${probe} is true but critical is false: an informational check never fails a probe (drop ${probe} or make it critical)`,
      );
    }
  }
  return problems;
}

/** Throws the factory's InvalidOptionsError when there is any problem. */
export function assertNoProblems(factory: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new InvalidOptionsError(factory, problems);
}

/** The definition a factory returns: its check plus the shared options with their defaults. */
export function definition(options: BuiltInCheckOptions, check: CheckFunction, stop?: () => void): CheckDefinition {
  const critical = options.critical ?? checkDefaults.critical;
  const out: CheckDefinition = {
    check,
    critical,
    cacheMs: options.cacheMs ?? checkDefaults.cacheMs,
    readiness: options.readiness ?? critical,
    liveness: options.liveness ?? checkDefaults.liveness,
  };
  if (options.timeout !== undefined) out.timeout = options.timeout;
  if (stop) out.stop = stop;
  return out;
}

/** A positive finite number (bytes, a ratio, ms), or a problem. */
export function checkPositive(problems: string[], label: string, value: unknown, max = Infinity): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    problems.push(`${label} must be a number > 0${max === Infinity ? '' : ` and <= ${max}`} (got ${JSON.stringify(value)})`);
  }
}

/** Milliseconds since `start`, rounded to 0.01. */
export const since = (start: number): number => Math.round((performance.now() - start) * 100) / 100;
