import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { OrchestratorEvent } from '../supervisor/events.js';
import type { Orchestrator } from '../supervisor/orchestrator.js';
import { RingBuffer } from './ring-buffer.js';

/** Dashboards connected at once to the event stream; one more is answered 503 `PM_BUSY`. */
export const MAX_SSE_CLIENTS = 32;
/** Lifecycle events kept for a dashboard that connects later; a ring, so memory stays flat over days. */
const RECENT_EVENTS = 100;
/** Ms between comment frames that keep idle proxies and browsers from dropping the stream. */
const HEARTBEAT_MS = 15_000;
/** Ms over which status snapshots are coalesced, however many events arrive. */
const THROTTLE_MS = 200;

/** The live updates of `GET /api/events` (Server-Sent Events): lifecycle events as they come, status snapshots throttled. */
export interface EventStream {
  /** Dashboards connected now. */
  readonly size: number;
  /** Turns an authenticated request into a stream: recent history, the current status, then live frames. */
  open(req: IncomingMessage, res: ServerResponse): void;
  /** Ends every stream and stops listening to the orchestrator. */
  close(): void;
}

/** Subscribes to the orchestrator and fans its events out to every connected dashboard. */
export function createEventStream(orchestrator: Orchestrator, logger: Logger): EventStream {
  const clients = new Set<ServerResponse>();
  const sendAll = (frame: string): void => {
    for (const client of clients) client.write(frame);
  };
  let pending: NodeJS.Timeout | null = null;
  const broadcast = (): void => {
    if (pending || clients.size === 0) return;
    pending = setTimeout(() => {
      pending = null;
      orchestrator
        .status()
        .then((status) => sendAll(`event: status\ndata: ${JSON.stringify(status)}\n\n`))
        // Nobody to answer: the next event sends a fresh snapshot.
        .catch((error: unknown) => logger.error({ err: error }, 'dashboard: could not send a live status update'));
    }, THROTTLE_MS);
  };
  const recent = new RingBuffer<OrchestratorEvent>(RECENT_EVENTS);
  const unsubscribe = orchestrator.on((event) => {
    if (event.type === 'output') return;
    recent.push(event);
    if (event.type !== 'status') sendAll(`event: lifecycle\ndata: ${JSON.stringify(event)}\n\n`);
    broadcast();
  });
  const heartbeat = setInterval(() => sendAll(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();

  return {
    get size() {
      return clients.size;
    },
    open(req, res) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      clients.add(res);
      req.on('close', () => clients.delete(res));
      res.write(`event: history\ndata: ${JSON.stringify(recent.toArray().filter((e) => e.type !== 'status'))}\n\n`);
      orchestrator
        .status()
        .then((status) => res.write(`event: status\ndata: ${JSON.stringify(status)}\n\n`))
        // The stream stays open: the next event's broadcast brings the status.
        .catch((error: unknown) => logger.error({ err: error }, 'dashboard: could not send the status to a new connection'));
    },
    close() {
      unsubscribe();
      clearInterval(heartbeat);
      if (pending) clearTimeout(pending);
      for (const client of clients) client.end();
      clients.clear();
    },
  };
}
