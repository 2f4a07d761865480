import { probeTcp } from '../probe.js';
import { pollUntil } from './poll.js';
import type { ReadinessKind } from './types.js';

/** Ready once a TCP connection to the target opens; each attempt waits at least 1 s. */
export const tcpReadiness: ReadinessKind<'tcp'> = (ready, run, signal) =>
  pollUntil(() => probeTcp(ready.target, run.port, Math.max(ready.interval, 1000)), ready.interval, signal);
