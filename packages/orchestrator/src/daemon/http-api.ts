import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { defaultLogger, type Logger } from '../logger.js';
import { monitorRoutes, type MonitorRoutesOptions } from '../monitor/routes.js';
import type { Orchestrator } from '../supervisor/orchestrator.js';
import { connectionLimits, guardConnections, httpServerOptions, type ConnectionLimits } from './connection-guard.js';
import { dashboardPage } from './dashboard-page.js';
import { createDispatcher } from './dispatcher.js';
import { createEventStream, MAX_SSE_CLIENTS } from './event-stream.js';
import { answer, json, refuse } from './http-reply.js';
import { ControlErrorCodes } from './protocol.js';

/** Options of {@link startControlApi}. */
export interface ControlApiOptions {
  /** The orchestrator the API reports on and acts on. */
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
  /** Caps on connections before authentication. @default {@link connectionLimits} */
  limits?: Partial<ConnectionLimits>;
  /** App history (`GET /api/apps/<name>/history`) and `GET /metrics`. @default both routes answer 404 */
  monitor?: MonitorRoutesOptions;
}

/** A running control API. */
export interface ControlApi {
  server: Server;
  port: number;
  close(): Promise<void>;
}

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

/** The Origin values a browser sends from the dashboard's own page; any other page is refused. */
function ownOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

/**
 * The checks every request passes before routing, for what a browser can send: a Host of ours (a
 * DNS-rebinding page must not reach us), no Origin or the dashboard's own (a page on another origin
 * that learnt the token must still not drive the API), a path that parses. Null once refused.
 */
function admit(req: IncomingMessage, res: ServerResponse, origins: Set<string>): URL | null {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    refuse(res, 'forbidden', ControlErrorCodes.forbidden, 'Use http://127.0.0.1:<port>/');
    return null;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !origins.has(origin)) {
    const shown = JSON.stringify(origin.slice(0, 100));
    const own = [...origins][0];
    refuse(
      res,
      'forbidden',
      ControlErrorCodes.forbidden,
      `Requests from other web pages (Origin ${shown}) are refused; use the dashboard at ${own}/ or the pm CLI`,
    );
    return null;
  }
  const url = parseRequestUrl(req.url);
  if (!url) refuse(res, 'bad-request', ControlErrorCodes.badRequest, 'Malformed request path');
  return url;
}

/** The dashboard page, which may not be framed and loads nothing from elsewhere. */
function servePage(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
    'x-frame-options': 'DENY',
  });
  res.end(dashboardPage);
}

/**
 * The dashboard and HTTP control API, bound to 127.0.0.1 only. Routes: `GET /` (the page),
 * `GET /api/status`, `POST /api/apps/<name|all>/<start|stop|restart>`, `GET /api/events` (SSE).
 */
export async function startControlApi({
  orchestrator,
  port,
  token,
  onActivity,
  logger: given,
  limits: givenLimits,
  monitor,
}: ControlApiOptions): Promise<ControlApi> {
  const logger = defaultLogger(given);
  const limits: ConnectionLimits = { ...connectionLimits, ...givenLimits };
  const dispatch = createDispatcher({ orchestrator, logger });
  let origins = new Set<string>(); // filled once the port is bound
  const events = createEventStream(orchestrator, logger);
  const monitored = monitor ? monitorRoutes(monitor, logger) : null;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = admit(req, res, origins);
    if (!url) return;
    if (req.method === 'GET' && url.pathname === '/') return servePage(res);
    if (req.method === 'GET' && url.pathname === '/metrics' && monitored && !monitored.metricsNeedToken) return monitored.metrics(res);
    if (!url.pathname.startsWith('/api/') && !(url.pathname === '/metrics' && monitored))
      return refuse(res, 'not-found', ControlErrorCodes.notFound, 'No such route');
    const isEvents = req.method === 'GET' && url.pathname === '/api/events';
    if (!tokenOk(req, url, token, isEvents)) {
      return refuse(
        res,
        'unauthorized',
        ControlErrorCodes.unauthorized,
        'Missing or wrong token: run `pm dashboard` for a URL that carries it',
      );
    }
    guard.authenticated(req.socket);
    if (req.method === 'GET' && url.pathname === '/api/status') {
      // The status route answers the bare list (what scripts read); failures in the common shape.
      void dispatch({ cmd: 'status' }).then((response) => (response.ok ? json(res, 200, response.status) : answer(res, response)));
      return;
    }
    if (monitored?.handle(req, res, url)) return;
    if (isEvents) {
      if (events.size >= MAX_SSE_CLIENTS) return refuse(res, 'busy', ControlErrorCodes.busy, 'Too many dashboard connections');
      return events.open(req, res);
    }
    const m = /^\/api\/apps\/([^/]+)\/(start|stop|restart)$/.exec(url.pathname);
    if (req.method === 'POST' && m) {
      const name = decodeName(m[1]!);
      if (name === null) return refuse(res, 'bad-request', ControlErrorCodes.badRequest, 'Malformed app name in the path');
      req.resume();
      void dispatch({ cmd: m[2] as 'start' | 'stop' | 'restart', names: name === 'all' ? undefined : [name] })
        .then((response) => answer(res, response))
        .finally(() => onActivity?.());
      return;
    }
    refuse(res, 'not-found', ControlErrorCodes.notFound, 'No such route');
  };
  // Any request, however malformed, must never take the daemon (and the apps' supervision) down.
  const server = createServer(httpServerOptions(limits), (req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      logger.error({ err: error, url: req.url }, 'control API: request failed');
      if (!res.headersSent) refuse(res, 'bad-request', ControlErrorCodes.badRequest, 'Request could not be handled');
      else res.destroy();
    }
  });
  const guard = guardConnections(server, limits);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  origins = ownOrigins(boundPort);
  return {
    server,
    port: boundPort,
    async close() {
      events.close();
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
    },
  };
}
