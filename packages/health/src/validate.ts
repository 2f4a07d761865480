// Small validators shared by every options resolver: each pushes a readable problem instead of
// throwing, so one error can list everything that is wrong.

/** True for a plain object (not null, not an array). */
export { isObject as isRecord } from '@pm/kernel/guards';

/**
 * The longest delay `setTimeout` supports (2^31 - 1 ms, about 24.8 days). Node turns anything longer
 * into 1 ms (with only a warning), so a "very long" timeout would fire at once.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Pushes a problem unless `value` is a finite number ≥ `min` (undefined passes: the default applies).
 * With `timer`, the value is a `setTimeout` delay and must also be ≤ {@link MAX_TIMER_MS}; `noLimit`
 * adds the hint that this maximum is how to say "no practical limit".
 */
export function checkMs(
  problems: string[],
  label: string,
  value: unknown,
  min: number,
  limit: { timer: boolean; noLimit?: boolean } = { timer: true },
): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    problems.push(`${label} must be a finite number of milliseconds >= ${min} (got ${JSON.stringify(value)})`);
  } else if (limit.timer && value > MAX_TIMER_MS) {
    const hint = limit.noLimit ? `; for no practical limit, use ${MAX_TIMER_MS}` : '';
    problems.push(
      `${label} must be at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest delay setTimeout supports; longer ones fire after 1 ms)${hint} (got ${value})`,
    );
  }
}

/** Pushes a problem unless `value` is a boolean (undefined passes: the default applies). */
export function checkBoolean(problems: string[], label: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') problems.push(`${label} must be true or false (got ${JSON.stringify(value)})`);
}

/**
 * Pushes a problem for every own key of `value` that is not in `known` (a typo such as `timout` or
 * `signal` would otherwise be ignored silently), suggesting the closest known key when one is near.
 * `prefix` is prepended to each key in the message (e.g. `checks.db.`).
 */
export function checkKnownKeys(problems: string[], prefix: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const guess = closest(key, known);
    problems.push(
      `${prefix}${key} is not an option (${guess === undefined ? `known: ${known.join(', ')}` : `did you mean ${prefix}${guess}?`})`,
    );
  }
}

/** The known key nearest to `key` (case-insensitive edit distance), if near enough to be a typo of it. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    // About one edit per three letters, 1 to 3: `ordr` -> order, `drainDelayMs` -> drainDelay, never `id` -> fn.
    const allowed = Math.min(3, Math.max(1, Math.floor(candidate.length / 3)));
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance (insert, delete, substitute), one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
