import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { defaultLogger, type Logger } from '../logger.js';
import type { Orchestrator } from '../supervisor/orchestrator.js';
import { dashboardPage } from './dashboard-page.js';
import { RingBuffer } from './ring-buffer.js';
import type { OrchestratorEvent } from '../supervisor/events.js';

/** Options of {@link startControlApi}. */
export interface ControlApiOptions {
  orchestrator: Orchestrator;
  /** Port on 127.0.0.1 (0 picks one). */
  port: number;
  /**
   * Required on every /api call as `Authorization: Bearer <token>`; `GET /api/events` also takes
   * `?token=` (EventSource cannot send headers). A query token anywhere else is refused: URLs end
   * up in logs and browser history.
   */
  token: string;
  /** Called after a control call changed something. */
  onActivity?: () => void;
  /** Where failures with no caller to answer (an SSE update that could not be built) are logged. @default silent */
  logger?: Logger;
}

/** A running control API. */
export interface ControlApi {
  server: Server;
  port: number;
  close(): Promise<void>;
}

const MAX_SSE_CLIENTS = 32;
/** Lifecycle events kept for a dashboard that connects later; a ring, so memory stays flat over days. */
const RECENT_EVENTS = 100;

/** The request's URL, or null when it cannot be parsed (e.g. `//`, which `new URL` reads as a host-less URL). */
function parseRequestUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/** A percent-decoded path segment, or null when its escapes are malformed. */
function decodeName(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function tokenOk(req: IncomingMessage, url: URL, token: string, queryAllowed: boolean): boolean {
  const header = req.headers.authorization;
  const given = header?.startsWith('Bearer ') ? header.slice(7) : queryAllowed ? (url.searchParams.get('token') ?? '') : '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** A 500 for a request whose answer could not be built: code and message only, never a stack. */
function failed(res: ServerResponse, what: string, error: unknown): void {
  const message = `Could not ${what}: ${error instanceof Error ? error.message : String(error)}`;
  if (!res.headersSent) json(res, 500, { ok: false, error: { code: 'PM_ERROR', message } });
  else res.end();
}

/**
 * The dashboard and HTTP control API, bound to 127.0.0.1 only. Routes: `GET /` (the page),
 * `GET /api/status`, `POST /api/apps/<name|all>/<start|stop|restart>`, `GET /api/events` (SSE).
 */
export async function startControlApi({ orchestrator, port, token, onActivity, logger: given }: ControlApiOptions): Promise<ControlApi> {
  const logger = defaultLogger(given);
  const clients = new Set<ServerResponse>();
  let pending: NodeJS.Timeout | null = null;
  // Throttle: at most one snapshot per 200 ms however many events arrive.
  const broadcast = (): void => {
    if (pending || clients.size === 0) return;
    pending = setTimeout(() => {
      pending = null;
      orchestrator
        .status()
        .then((status) => {
          const frame = `event: status\ndata: ${JSON.stringify(status)}\n\n`;
          for (const client of clients) client.write(frame);
        })
        // Nobody to answer: the next event sends a fresh snapshot.
        .catch((error: unknown) => logger.error({ err: error }, 'dashboard: could not send a live status update'));
    }, 200);
  };
  const recent = new RingBuffer<OrchestratorEvent>(RECENT_EVENTS);
  const unsubscribe = orchestrator.on((event) => {
    if (event.type === 'output') return;
    recent.push(event);
    if (event.type !== 'status') {
      const frame = `event: lifecycle\ndata: ${JSON.stringify(event)}\n\n`;
      for (const client of clients) client.write(frame);
    }
    broadcast();
  });
  const heartbeat = setInterval(() => {
    for (const client of clients) client.write(': keep-alive\n\n');
  }, 15_000);
  heartbeat.unref();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // Refuse other Host names: a DNS-rebinding page must not reach us through the browser.
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host))
      return json(res, 403, { error: { code: 'PM_FORBIDDEN', message: 'Use http://127.0.0.1:<port>/' } });
    const url = parseRequestUrl(req.url);
    if (!url) return json(res, 400, { error: { code: 'PM_BAD_REQUEST', message: 'Malformed request path' } });
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
        'x-frame-options': 'DENY',
      });
      res.end(dashboardPage);
      return;
    }
    if (!url.pathname.startsWith('/api/')) return json(res, 404, { error: { code: 'PM_NOT_FOUND', message: 'No such route' } });
    const isEvents = req.method === 'GET' && url.pathname === '/api/events';
    if (!tokenOk(req, url, token, isEvents)) {
      return json(res, 401, {
        error: { code: 'PM_UNAUTHORIZED', message: 'Missing or wrong token: run `pm dashboard` for a URL that carries it' },
      });
    }
    if (req.method === 'GET' && url.pathname === '/api/status') {
      orchestrator
        .status()
        .then((status) => json(res, 200, status))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'control API: could not read the status');
          failed(res, 'read the status', error);
        });
      return;
    }
    if (isEvents) {
      if (clients.size >= MAX_SSE_CLIENTS) return json(res, 503, { error: { code: 'PM_BUSY', message: 'Too many dashboard connections' } });
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      clients.add(res);
      req.on('close', () => clients.delete(res));
      res.write(`event: history\ndata: ${JSON.stringify(recent.toArray().filter((e) => e.type !== 'status'))}\n\n`);
      orchestrator
        .status()
        .then((status) => res.write(`event: status\ndata: ${JSON.stringify(status)}\n\n`))
        // The stream stays open: the next event's broadcast brings the status.
        .catch((error: unknown) => logger.error({ err: error }, 'dashboard: could not send the status to a new connection'));
      return;
    }
    const m = /^\/api\/apps\/([^/]+)\/(start|stop|restart)$/.exec(url.pathname);
    if (req.method === 'POST' && m) {
      const name = decodeName(m[1]!);
      if (name === null) return json(res, 400, { error: { code: 'PM_BAD_REQUEST', message: 'Malformed app name in the path' } });
      const names = name === 'all' ? undefined : [name];
      const action = m[2] as 'start' | 'stop' | 'restart';
      req.resume();
      void (async () => {
        let outcome: { status: number; error?: { code: string; message: string } } = { status: 200 };
        try {
          await orchestrator[action](names);
        } catch (error) {
          const e = error as { code?: string; message?: string };
          outcome = {
            status: e.code === 'PM_APP_NOT_FOUND' ? 404 : 409,
            error: { code: e.code ?? 'PM_ERROR', message: e.message ?? String(error) },
          };
        }
        try {
          const status = await orchestrator.status();
          json(res, outcome.status, outcome.error ? { ok: false, error: outcome.error, status } : { ok: true, status });
        } catch (error) {
          logger.error({ err: error, actionError: outcome.error }, `control API: could not read the status after ${action}`);
          failed(res, `read the status after ${action}`, error);
        }
      })()
        .finally(() => onActivity?.())
        .catch((error: unknown) => logger.error({ err: error }, `control API: ${action} could not be answered`));
      return;
    }
    json(res, 404, { error: { code: 'PM_NOT_FOUND', message: 'No such route' } });
  };
  // Any request, however malformed, must never take the daemon (and the apps' supervision) down.
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      logger.error({ err: error, url: req.url }, 'control API: request failed');
      if (!res.headersSent) json(res, 400, { error: { code: 'PM_BAD_REQUEST', message: 'Request could not be handled' } });
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
    async close() {
      unsubscribe();
      clearInterval(heartbeat);
      if (pending) clearTimeout(pending);
      for (const client of clients) client.end();
      clients.clear();
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
    },
  };
}
