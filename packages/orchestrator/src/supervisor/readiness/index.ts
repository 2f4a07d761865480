import type { ResolvedReady } from '../../config/resolve.js';
import { announceReadiness } from './announce.js';
import { httpReadiness } from './http.js';
import { ipcReadiness } from './ipc.js';
import { logReadiness } from './log.js';
import { tcpReadiness } from './tcp.js';
import type { ReadinessContext, ReadinessKind } from './types.js';

export type { AnnounceMemory, IpcState, ReadinessContext, ReadinessKind } from './types.js';
export { healthStateOf, isReadyMessage } from './messages.js';

/** Every readiness kind by name: a new kind is one module and one line here. */
const kinds: { [K in ResolvedReady['kind']]: ReadinessKind<K> } = {
  none: announceReadiness,
  http: httpReadiness,
  tcp: tcpReadiness,
  log: logReadiness,
  ipc: ipcReadiness,
};

/** Waits with the app's readiness kind: true once ready, false once `signal` aborts first. */
export function waitUntilReady(ready: ResolvedReady, run: ReadinessContext, signal: AbortSignal): Promise<boolean> {
  return (kinds[ready.kind] as ReadinessKind<ResolvedReady['kind']>)(ready, run, signal);
}
