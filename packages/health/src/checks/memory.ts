import { assertNoProblems, checkPositive, commonProblems, definition, type BuiltInCheckOptions } from './define.js';
import { withDetails } from './details.js';
import type { CheckDefinition } from '../health/options.js';

/** Options of `memoryCheck`: at least one of the limits. */
export interface MemoryCheckOptions extends BuiltInCheckOptions {
  /** Fail above this resident set size, bytes. @default none */
  maxRssBytes?: number;
  /** Fail above this much V8 heap in use, bytes. @default none */
  maxHeapUsedBytes?: number;
}

/**
 * Checks the process's own memory (`process.memoryUsage()`). Reports `rssBytes` and `heapUsedBytes`.
 * A leak that only a restart cures is what `liveness: true` is for; by default it only gates readiness.
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) when no limit is given or an option is wrong
 */
export function memoryCheck(options: MemoryCheckOptions): CheckDefinition {
  const problems = commonProblems(options, ['maxRssBytes', 'maxHeapUsedBytes']);
  const given = (options ?? {}) as MemoryCheckOptions;
  checkPositive(problems, 'maxRssBytes', given.maxRssBytes);
  checkPositive(problems, 'maxHeapUsedBytes', given.maxHeapUsedBytes);
  if (given.maxRssBytes === undefined && given.maxHeapUsedBytes === undefined)
    problems.push('give maxRssBytes or maxHeapUsedBytes (or both)');
  assertNoProblems('memoryCheck', problems);

  const check = () => {
    const { rss, heapUsed } = process.memoryUsage();
    const details = { rssBytes: rss, heapUsedBytes: heapUsed };
    if (given.maxRssBytes !== undefined && rss > given.maxRssBytes) {
      throw withDetails(new Error(`rss ${rss} bytes is above maxRssBytes ${given.maxRssBytes}`), details);
    }
    if (given.maxHeapUsedBytes !== undefined && heapUsed > given.maxHeapUsedBytes) {
      throw withDetails(new Error(`heap used ${heapUsed} bytes is above maxHeapUsedBytes ${given.maxHeapUsedBytes}`), details);
    }
    return withDetails({}, details);
  };
  return definition(given, check);
}
