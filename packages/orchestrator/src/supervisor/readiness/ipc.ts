import { pollUntil } from './poll.js';
import type { ReadinessKind } from './types.js';

/** Ready once the run sent `{ type: 'pm:ready' }` or `'ready'` over IPC. */
export const ipcReadiness: ReadinessKind<'ipc'> = (ready, run, signal) => pollUntil(() => run.ipc.ready, ready.interval, signal);
