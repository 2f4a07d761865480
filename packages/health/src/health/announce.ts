import type { Logger } from '../logger.js';
import type { LifecycleState } from './report.js';

/**
 * What a health registry tells the `pm` supervisor over the IPC channel it was spawned with:
 * `{ type: 'pm:health', state }` at creation and on every lifecycle change, and `{ type: 'pm:ready' }`
 * when it turns healthy (the message older supervisors with `ready: 'ipc'` wait for).
 */
export type SupervisorMessage = { type: 'pm:health'; state: LifecycleState } | { type: 'pm:ready' };

/** Sends one message; never throws and never leaves an error for the channel to emit. */
export type Announce = (message: SupervisorMessage) => void;

/**
 * The sender to the supervisor, or null when there is none to talk to: the process needs an open
 * IPC channel (`process.send`, `process.connected`) and env `PM_APP_NAME`, which `pm` sets for
 * every app it spawns. Read when called (at `createHealth()`), never at import.
 */
export function supervisorAnnouncer(logger: Logger): Announce | null {
  if (!process.env.PM_APP_NAME || typeof process.send !== 'function' || !process.connected) return null;
  return (message) => {
    // The parent may have died or disconnected since: then there is nobody to tell.
    if (typeof process.send !== 'function' || !process.connected) return;
    try {
      // The callback form: a failed write (closed channel, EPIPE) is handed to the callback
      // instead of being emitted as an 'error' the app would have to handle.
      process.send(message, undefined, {}, (error) => {
        if (error) logger.debug({ err: error.message, message }, 'health: message to the supervisor not delivered');
      });
    } catch (error) {
      logger.debug({ err: error instanceof Error ? error.message : String(error), message }, 'health: message to the supervisor not sent');
    }
  };
}
