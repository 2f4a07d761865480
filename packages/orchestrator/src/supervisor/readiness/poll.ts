/**
 * Calls `check` every `interval` ms until it answers true (resolves true) or `signal` aborts
 * (resolves false, at once, even in the middle of a wait).
 */
export async function pollUntil(check: () => Promise<boolean> | boolean, interval: number, signal: AbortSignal): Promise<boolean> {
  const aborted = new Promise<false>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true }));
  while (!signal.aborted) {
    if (await check()) return !signal.aborted;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, interval)), aborted]);
  }
  return false;
}
