import { performance } from 'node:perf_hooks';

/** How a bounded step ended. */
export interface BoundedOutcome {
  status: 'ok' | 'failed' | 'timeout';
  durationMs: number;
  /** What the step threw or rejected with (status `failed`). */
  error?: unknown;
}

/**
 * Runs `fn` and resolves when it settles or after `timeout` ms, whichever is first; never rejects.
 * A step that hangs is abandoned (its `signal` aborts) so the sequence can go on.
 */
export function runBounded(fn: (signal: AbortSignal) => unknown, timeout: number): Promise<BoundedOutcome> {
  const start = performance.now();
  const controller = new AbortController();
  return new Promise<BoundedOutcome>((resolve) => {
    let done = false;
    const finish = (outcome: Omit<BoundedOutcome, 'durationMs'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: Math.round((performance.now() - start) * 100) / 100 });
    };
    // Ref'd on purpose: a hook awaiting a promise nobody settles must not let the process drain out
    // of events and exit 0 before the sequence reaches its exit call.
    const timer = setTimeout(() => {
      controller.abort(new Error(`timed out after ${timeout} ms`));
      finish({ status: 'timeout' });
    }, timeout);
    try {
      Promise.resolve(fn(controller.signal)).then(
        () => finish({ status: 'ok' }),
        (error: unknown) => finish({ status: 'failed', error }),
      );
    } catch (error) {
      finish({ status: 'failed', error });
    }
  });
}
