import { setTimeout as delay } from 'node:timers/promises';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many ms. @default 5000 */
  timeout?: number;
  /** Poll interval in ms. @default 20 */
  interval?: number;
  /** Text of the error thrown on timeout. @default 'condition' */
  message?: string;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => delay(ms);

/**
 * Polls `condition` until it returns a truthy value (which is returned) or the deadline passes.
 * Errors thrown by the condition count as "not yet" and the last one is reported on timeout.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeout = 5000, interval = 20, message = 'condition' }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`Timed out after ${timeout} ms waiting for ${message}${detail}`);
    }
    await delay(interval);
  }
}
