import type { AppStatusInfo } from '../supervisor/events.js';

/** A request to the daemon (a JSON line on daemon.sock, or an HTTP route of the control API mapped to one). */
export type DaemonRequest =
  | { cmd: 'ping' }
  | { cmd: 'status' }
  | { cmd: 'start'; names?: string[] }
  | { cmd: 'stop'; names?: string[] }
  | { cmd: 'restart'; names?: string[] }
  | { cmd: 'dashboard' };

/** Every verb a {@link DaemonRequest} may name. */
export const daemonVerbs = ['ping', 'status', 'start', 'stop', 'restart', 'dashboard'] as const;

/** Error codes of the control surfaces (daemon.sock and the HTTP API), beside the orchestrator's own `PM_…` codes. */
export const ControlErrorCodes = {
  badRequest: 'PM_BAD_REQUEST',
  unauthorized: 'PM_UNAUTHORIZED',
  forbidden: 'PM_FORBIDDEN',
  notFound: 'PM_NOT_FOUND',
  busy: 'PM_BUSY',
  dashboardOff: 'PM_DASHBOARD_OFF',
  internal: 'PM_ERROR',
} as const;

/**
 * Why a request failed, independent of the transport; the HTTP API turns it into a status code
 * ({@link httpStatusOf}), daemon.sock leaves it to the `error.code`.
 */
export type FailureReason = 'bad-request' | 'unauthorized' | 'forbidden' | 'not-found' | 'refused' | 'busy' | 'unavailable' | 'internal';

/** HTTP status for each {@link FailureReason}: the one table the HTTP API uses. */
export const httpStatusOf: Readonly<Record<FailureReason, number>> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  refused: 409,
  internal: 500,
  busy: 503,
  unavailable: 503,
};

/** What a failed request answers: a stable `code` and a message that says what to do. */
export interface ControlError {
  /** A `PM_…` code: one of {@link ControlErrorCodes} or of the orchestrator's `OrchestratorErrorCodes`. */
  code: string;
  /** What went wrong and what to do about it. */
  message: string;
}

/** A request that succeeded. */
export interface ControlSuccess {
  ok: true;
  /** Status of every app (after the command, for start/stop/restart). */
  status?: AppStatusInfo[];
  /** Extra data: `ping` gives `{ pid, config }`, `dashboard` gives `{ url, port }`. */
  data?: Record<string, unknown>;
}

/** A request that failed, with why (for the transport) and the status of every app when it could be read. */
export interface ControlFailure {
  ok: false;
  /** Why, for the transport (HTTP status); not sent. */
  reason: FailureReason;
  error: ControlError;
  /** Status of every app, when a start/stop/restart failed but the status could still be read. */
  status?: AppStatusInfo[];
}

/** What the dispatcher answers; both transports send it (without `reason`, see {@link toWire}). */
export type ControlResponse = ControlSuccess | ControlFailure;

/** The daemon's answer as it travels: one JSON line on daemon.sock (then the connection closes), or an HTTP body. */
export type DaemonResponse = ControlSuccess | { ok: false; error: ControlError; status?: AppStatusInfo[] };

/** A failure answer. */
export function failure(reason: FailureReason, code: string, message: string, status?: AppStatusInfo[]): ControlFailure {
  return status ? { ok: false, reason, error: { code, message }, status } : { ok: false, reason, error: { code, message } };
}

/** The answer as sent: `reason` stays inside the daemon (HTTP carries it as the status code). */
export function toWire(response: ControlResponse): DaemonResponse {
  if (response.ok) return response;
  const { reason: _reason, ...wire } = response;
  return wire;
}

const EXAMPLE = 'send one JSON object such as {"cmd":"status"} or {"cmd":"stop","names":["api"]}';

/**
 * Checks a parsed JSON value against {@link DaemonRequest}: the request, or a `bad-request` failure
 * naming the wrong field. Total: never throws, whatever the value (null, arrays, odd prototypes).
 */
export function parseDaemonRequest(value: unknown): DaemonRequest | ControlFailure {
  const bad = (message: string) => failure('bad-request', ControlErrorCodes.badRequest, `${message}; ${EXAMPLE}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return bad(`The request must be a JSON object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  const cmd: unknown = Object.hasOwn(value, 'cmd') ? (value as { cmd: unknown }).cmd : undefined;
  if (typeof cmd !== 'string' || !(daemonVerbs as readonly string[]).includes(cmd)) {
    return bad(`Unknown or missing "cmd" ${describe(cmd)}: expected one of ${daemonVerbs.join(', ')}`);
  }
  const verb = cmd as (typeof daemonVerbs)[number];
  if (verb !== 'start' && verb !== 'stop' && verb !== 'restart') return { cmd: verb };
  if (!Object.hasOwn(value, 'names')) return { cmd: verb };
  const names: unknown = (value as { names: unknown }).names;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n.length > 0)) {
    return bad(`"names" must be a list of app names (non-empty strings), got ${describe(names)}; leave it out for every app`);
  }
  return { cmd: verb, names: [...(names as string[])] };
}

/** A short, safe rendering of a value for an error message. */
function describe(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
