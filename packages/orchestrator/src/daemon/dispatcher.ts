import type { Logger } from '../logger.js';
import type { Orchestrator } from '../supervisor/orchestrator.js';
import { ControlErrorCodes, failure, type ControlFailure, type ControlResponse, type DaemonRequest } from './protocol.js';

/** Options of {@link createDispatcher}. */
export interface DispatcherOptions {
  /** The orchestrator the requests act on. */
  orchestrator: Orchestrator;
  /** What `ping` answers (daemon.sock). @default `{ pid: process.pid }` */
  ping?: () => Record<string, unknown>;
  /** The dashboard's URL and port, or null when it is off (what `dashboard` answers). @default always off */
  dashboard?: () => { url: string; port: number } | null;
  /** Where failures of the daemon itself (not of the user's request) are logged. */
  logger: Logger;
}

/** Runs one request against the orchestrator; resolves with the answer and never rejects. */
export type Dispatch = (request: DaemonRequest) => Promise<ControlResponse>;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * An error an orchestrator command threw, as an answer. A `PM_…` error is the user's (an unknown app,
 * a start that failed) and keeps its code; anything else is a fault of the daemon.
 */
export function failureFromError(error: unknown): ControlFailure {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('PM_')) {
    return failure(code === 'PM_APP_NOT_FOUND' ? 'not-found' : 'refused', code, messageOf(error));
  }
  return failure('internal', ControlErrorCodes.internal, messageOf(error));
}

/**
 * The one place a request becomes an orchestrator call and its outcome (or error) an answer; shared by
 * daemon.sock and the HTTP API, which only translate.
 */
export function createDispatcher({ orchestrator, ping, dashboard, logger }: DispatcherOptions): Dispatch {
  const readStatus = async (after?: string, actionError?: ControlFailure): Promise<ControlResponse> => {
    try {
      return { ok: true, status: await orchestrator.status() };
    } catch (error) {
      const what = `read the status${after ? ` after ${after}` : ''}`;
      logger.error({ err: error, actionError: actionError?.error }, `control: could not ${what}`);
      return failure('internal', ControlErrorCodes.internal, `Could not ${what}: ${messageOf(error)}`);
    }
  };

  const act = async (verb: 'start' | 'stop' | 'restart', names: string[] | undefined): Promise<ControlResponse> => {
    let refused: ControlFailure | null = null;
    try {
      await orchestrator[verb](names);
    } catch (error) {
      refused = failureFromError(error);
      if (refused.reason === 'internal') logger.error({ err: error }, `control: ${verb} failed`);
    }
    const after = await readStatus(verb, refused ?? undefined);
    return refused && after.ok ? { ...refused, status: after.status } : after;
  };

  const dispatch = async (request: DaemonRequest): Promise<ControlResponse> => {
    switch (request.cmd) {
      case 'ping':
        return { ok: true, data: ping?.() ?? { pid: process.pid } };
      case 'status':
        return readStatus();
      case 'dashboard': {
        const found = dashboard?.();
        return found
          ? { ok: true, data: found }
          : failure(
              'unavailable',
              ControlErrorCodes.dashboardOff,
              'The dashboard is off (dashboard: false) or its port was busy; see .pm/daemon.log',
            );
      }
      case 'start':
      case 'stop':
      case 'restart':
        return act(request.cmd, request.names);
    }
  };
  // A bug above must still answer the caller, never leave a connection hanging or reject into nowhere.
  return (request) =>
    dispatch(request).catch((error: unknown) => {
      logger.error({ err: error }, 'control: could not answer a request');
      return failure('internal', ControlErrorCodes.internal, `The daemon could not answer: ${messageOf(error)}; see .pm/daemon.log`);
    });
}
