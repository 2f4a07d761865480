import type { ResolvedApp } from '../config/resolve.js';

/** The restart settings of one app, after defaults. */
export type RestartSettings = ResolvedApp['restart'];

/** How one run ended, as the restart policy weighs it. */
export interface RunOutcome {
  /** Epoch ms the run ended. */
  endedAt: number;
  /** Exited with a non-zero code or a signal, never became ready, or was ended for failing (probe, memory). */
  failed: boolean;
  /** The run became ready; one that never did is a failed start, a short run however long it took. */
  ready: boolean;
  /** Ms the run lived. */
  uptime: number;
}

/** What to do after a run ended. */
export type RestartDecision =
  /** Start again after `delay` ms (0: at once); `consecutive` short runs in a row led here. */
  | { action: 'restart'; delay: number; consecutive: number }
  /** Too many short runs within the window: stop trying (state `errored`). */
  | { action: 'give-up'; shortRuns: number }
  /** The policy does not restart this exit: `errored` when it was a failure, else `stopped`. */
  | { action: 'stay-stopped'; errored: boolean };

/** A run that counts toward giving up and grows the backoff: it never became ready, or lived less than minUptime. */
export function isShortRun(run: RunOutcome, settings: RestartSettings): boolean {
  return !run.ready || run.uptime < settings.minUptime;
}

/** Delay before restart number `consecutive` (1-based) of short runs: exponential, ±20 % jitter, never above `max`. */
export function backoffDelay(consecutive: number, initial: number, max: number, random: () => number = Math.random): number {
  if (consecutive <= 0) return 0;
  const base = Math.min(max, initial * 2 ** Math.min(consecutive - 1, 30));
  // Jitter so a stack that crashed together does not restart in lock-step; clamped after it, so
  // `max` stays the largest delay (at the cap the jitter only shortens it).
  return Math.min(max, Math.max(0, Math.round(base * (0.8 + 0.4 * random()))));
}

/**
 * The restart policy, as a pure function: given the runs since the app was last started (oldest
 * first, the one that just ended last), the app's restart settings and the time now, what happens next.
 *
 * - `policy: 'never'`, or `'on-failure'` after a clean exit: stay stopped (`errored` if it failed).
 * - More than `maxRestarts` short runs ended within the last `window` ms: give up.
 * - Otherwise restart after {@link backoffDelay} of the short runs in a row (at once after a long run).
 */
export function decideRestart(
  history: readonly RunOutcome[],
  settings: RestartSettings,
  now: number,
  random: () => number = Math.random,
): RestartDecision {
  const last = history.at(-1);
  const failed = last?.failed ?? false;
  if (settings.policy === 'never' || (settings.policy === 'on-failure' && !failed)) return { action: 'stay-stopped', errored: failed };
  const short = history.filter((run) => isShortRun(run, settings));
  const shortRuns = short.filter((run) => run.endedAt > now - settings.window).length;
  if (shortRuns > settings.maxRestarts) return { action: 'give-up', shortRuns };
  let consecutive = 0;
  for (let i = history.length - 1; i >= 0 && isShortRun(history[i]!, settings); i--) consecutive++;
  return { action: 'restart', delay: backoffDelay(consecutive, settings.backoff.initial, settings.backoff.max, random), consecutive };
}

/** The backoff exponent stops growing after this many short runs in a row (see {@link backoffDelay}). */
const LONGEST_STREAK_THAT_MATTERS = 31;

/**
 * The part of `history` that can still change a decision, so an app that crashes for days without
 * giving up keeps a bounded history: the runs inside the window, the last 31 runs of the latest
 * streak of short runs (a longer streak backs off no further) and the run that began that streak.
 */
export function relevantHistory(history: readonly RunOutcome[], settings: RestartSettings, now: number): RunOutcome[] {
  let streakStart = history.length;
  while (streakStart > 0 && isShortRun(history[streakStart - 1]!, settings)) streakStart--;
  const from = Math.max(streakStart, history.length - LONGEST_STREAK_THAT_MATTERS);
  return history.filter((run, i) => run.endedAt > now - settings.window || i >= from || i === streakStart - 1);
}

/** Why the app stays down after a give-up or stay-stopped `decision`, for a run that ended for `reason`. */
export function stayDownReason(
  decision: Exclude<RestartDecision, { action: 'restart' }>,
  settings: RestartSettings,
  reason: string,
): string {
  if (decision.action === 'stay-stopped') return `${reason}; restart policy is ${settings.policy}`;
  return `gave up after ${decision.shortRuns} failed starts or runs shorter than ${settings.minUptime} ms within ${settings.window} ms (${reason})`;
}
