import { probeHttp, withPort } from '../probe.js';
import { pollUntil } from './poll.js';
import type { ReadinessKind } from './types.js';

/** Ready once a GET of the URL (`${PORT}` substituted) answers 2xx/3xx; each probe waits at least 1 s. */
export const httpReadiness: ReadinessKind<'http'> = (ready, run, signal) =>
  pollUntil(() => probeHttp(withPort(ready.url, run.port), Math.max(ready.interval, 1000)), ready.interval, signal);
