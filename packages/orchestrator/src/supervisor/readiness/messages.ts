import type { HealthAnnounceState } from '../events.js';

/** The IPC readiness message: `{ type: 'pm:ready' }`, or the plain string `'ready'`. */
export function isReadyMessage(message: unknown): boolean {
  return message === 'ready' || (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'pm:ready');
}

/** The state in a `{ type: 'pm:health', state }` message (what `@pm/health` announces), or null for any other message. */
export function healthStateOf(message: unknown): HealthAnnounceState | null {
  if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== 'pm:health') return null;
  const state = (message as { state?: unknown }).state;
  return state === 'initializing' || state === 'healthy' || state === 'shutting_down' ? state : null;
}
