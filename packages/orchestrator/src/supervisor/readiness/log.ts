import type { ReadinessKind } from './types.js';

/** Ms between reads of the log file while waiting: the file watcher may miss events. */
const LOG_POLL_INTERVAL = 50;

/** Ready once the run writes a line that contains the pattern (a string) or matches it (a RegExp). */
export const logReadiness: ReadinessKind<'log'> = (ready, run, signal) => {
  const pattern = ready.pattern;
  const matches = (line: string): boolean => (typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line));
  return new Promise<boolean>((resolve) => {
    const remove = run.log.onLine((line) => {
      if (matches(line)) finish(true);
    });
    const timer = setInterval(() => run.log.poll(), LOG_POLL_INTERVAL);
    const finish = (value: boolean): void => {
      clearInterval(timer);
      remove();
      resolve(value);
    };
    signal.addEventListener('abort', () => finish(false), { once: true });
    run.log.poll();
  });
};
