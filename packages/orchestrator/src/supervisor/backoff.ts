/** Delay before restart number `consecutive` (1-based) of short runs: exponential, ±20 % jitter, never above `max`. */
export function backoffDelay(consecutive: number, initial: number, max: number, random: () => number = Math.random): number {
  if (consecutive <= 0) return 0;
  const base = Math.min(max, initial * 2 ** Math.min(consecutive - 1, 30));
  // Jitter so a stack that crashed together does not restart in lock-step; clamped after it, so
  // `max` stays the largest delay (at the cap the jitter only shortens it).
  return Math.min(max, Math.max(0, Math.round(base * (0.8 + 0.4 * random()))));
}
