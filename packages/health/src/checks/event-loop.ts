import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { sampleLoad } from '../pressure/sampler.js';
import { assertNoProblems, checkPositive, commonProblems, definition, type BuiltInCheckOptions } from './define.js';
import { withDetails } from './details.js';
import type { CheckDefinition } from '../health/options.js';

/** Options of `eventLoopCheck`: at least one of the limits. */
export interface EventLoopCheckOptions extends BuiltInCheckOptions {
  /** Fail when the event loop was blocked longer than this (worst delay since the last run), ms. @default none */
  maxDelayMs?: number;
  /** Fail when the loop was busy more than this share of the time since the last run (0 to 1). @default none */
  maxUtilization?: number;
  /** Sampling window of the shared event-loop histogram, ms (the shortest any user asks for wins). @default 500 */
  sampleIntervalMs?: number;
}

/**
 * Checks the process's event loop: the worst delay since the last run (perf_hooks
 * `monitorEventLoopDelay`, sampled continuously by one histogram shared with `underPressure`, on
 * unref'd timers) and the utilization since the last run (`eventLoopUtilization`). Reports
 * `delayMs` and `utilization`. Sampling starts now and stops when health shuts down.
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) when no limit is given or an option is wrong
 */
export function eventLoopCheck(options: EventLoopCheckOptions): CheckDefinition {
  const problems = commonProblems(options, ['maxDelayMs', 'maxUtilization', 'sampleIntervalMs']);
  const given = (options ?? {}) as EventLoopCheckOptions;
  checkPositive(problems, 'maxDelayMs', given.maxDelayMs);
  checkPositive(problems, 'maxUtilization', given.maxUtilization, 1);
  checkPositive(problems, 'sampleIntervalMs', given.sampleIntervalMs, 60_000);
  if (given.maxDelayMs === undefined && given.maxUtilization === undefined) problems.push('give maxDelayMs or maxUtilization (or both)');
  assertNoProblems('eventLoopCheck', problems);

  // The worst window since the last run: a block between two runs is not forgotten because a quieter window followed.
  let worstDelayMs = 0;
  const sampler = sampleLoad(given.sampleIntervalMs ?? 500, (sample) => {
    worstDelayMs = Math.max(worstDelayMs, sample.eventLoopDelayMs);
  });
  let since: EventLoopUtilization = performance.eventLoopUtilization();

  const check = () => {
    const delayMs = Math.max(worstDelayMs, sampler.latest().eventLoopDelayMs);
    const utilization = Math.round(performance.eventLoopUtilization(since).utilization * 1000) / 1000;
    worstDelayMs = 0;
    since = performance.eventLoopUtilization();
    const details = { delayMs, utilization };
    if (given.maxDelayMs !== undefined && delayMs > given.maxDelayMs) {
      throw withDetails(new Error(`event loop delay ${delayMs} ms is above maxDelayMs ${given.maxDelayMs}`), details);
    }
    if (given.maxUtilization !== undefined && utilization > given.maxUtilization) {
      throw withDetails(new Error(`event loop utilization ${utilization} is above maxUtilization ${given.maxUtilization}`), details);
    }
    return withDetails({}, details);
  };
  return definition(given, check, () => sampler.stop());
}
