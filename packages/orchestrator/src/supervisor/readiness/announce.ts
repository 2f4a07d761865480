import { pollUntil } from './poll.js';
import type { ReadinessKind } from './types.js';

/**
 * No readiness configured. Without an IPC channel nothing can tell us more: ready at once. A script
 * app may use @pm/health, which announces itself at `createHealth()`: it gets the announce window.
 * Announced: ready once it says `pm:ready` or `healthy` (bounded by the ready timeout). Silent
 * through the window: ready then, and remembered, so later restarts skip the window.
 */
export const announceReadiness: ReadinessKind<'none'> = (ready, run, signal) => {
  if (!run.ipc.channel || ready.announce === 0 || run.memory.announces === false) return Promise.resolve(true);
  const windowEnds = Date.now() + ready.announce;
  return pollUntil(
    () => {
      if (run.ipc.ready || run.ipc.health === 'healthy') return true;
      if (run.ipc.health !== null) return false;
      if (Date.now() < windowEnds) return false;
      run.memory.announces = false;
      return true;
    },
    ready.interval,
    signal,
  );
};
