import type { AppStatusInfo } from '../supervisor/events.js';

/** A request from the CLI to the daemon: one JSON line per connection. */
export type DaemonRequest =
  | { cmd: 'ping' }
  | { cmd: 'status' }
  | { cmd: 'start'; names?: string[] }
  | { cmd: 'stop'; names?: string[] }
  | { cmd: 'restart'; names?: string[] }
  | { cmd: 'dashboard' };

/** The daemon's answer: one JSON line, then the connection closes. */
export interface DaemonResponse {
  ok: boolean;
  /** Status of every app after the command. */
  status?: AppStatusInfo[];
  /** Set when `ok` is false. */
  error?: { code: string; message: string };
  /** Extra data: `ping` gives `{ pid }`, `dashboard` gives `{ url }`. */
  data?: Record<string, unknown>;
}
