import { statfs } from 'node:fs/promises';
import { assertNoProblems, checkPositive, commonProblems, definition, type BuiltInCheckOptions } from './define.js';
import { withDetails } from './details.js';
import type { CheckDefinition } from '../health/options.js';

/** Options of `diskCheck`: at least one of `minFreeBytes` and `minFreeRatio`. */
export interface DiskCheckOptions extends BuiltInCheckOptions {
  /** A path on the file system to watch. @default process.cwd() at the call */
  path?: string;
  /** Fail when fewer bytes than this are free (available to the app's user, as `df` shows). @default none */
  minFreeBytes?: number;
  /** Fail when the free share of the file system is below this (0 to 1, e.g. 0.1 for 10 %). @default none */
  minFreeRatio?: number;
}

/**
 * Checks free space on the file system holding `path` (`fs.statfs`). Reports `freeBytes`,
 * `totalBytes` and `freeRatio`.
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) when neither limit is given or an option is wrong
 */
export function diskCheck(options: DiskCheckOptions): CheckDefinition {
  const problems = commonProblems(options, ['path', 'minFreeBytes', 'minFreeRatio']);
  const given = (options ?? {}) as DiskCheckOptions;
  checkPositive(problems, 'minFreeBytes', given.minFreeBytes);
  checkPositive(problems, 'minFreeRatio', given.minFreeRatio, 1);
  if (given.minFreeBytes === undefined && given.minFreeRatio === undefined) problems.push('give minFreeBytes or minFreeRatio (or both)');
  if (given.path !== undefined && (typeof given.path !== 'string' || given.path === '')) problems.push('path must be a non-empty string');
  assertNoProblems('diskCheck', problems);
  const path = given.path ?? process.cwd();

  const check = async () => {
    const stats = await statfs(path);
    const freeBytes = stats.bavail * stats.bsize;
    const totalBytes = stats.blocks * stats.bsize;
    const freeRatio = totalBytes > 0 ? Math.round((freeBytes / totalBytes) * 10_000) / 10_000 : 0;
    const details = { freeBytes, totalBytes, freeRatio };
    if (given.minFreeBytes !== undefined && freeBytes < given.minFreeBytes) {
      throw withDetails(new Error(`${freeBytes} bytes free, below minFreeBytes ${given.minFreeBytes}`), details);
    }
    if (given.minFreeRatio !== undefined && freeRatio < given.minFreeRatio) {
      throw withDetails(new Error(`${(freeRatio * 100).toFixed(2)} % free, below minFreeRatio ${given.minFreeRatio}`), details);
    }
    return withDetails({}, details);
  };
  return definition(given, check);
}
