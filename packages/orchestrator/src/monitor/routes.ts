import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, refuse } from '../daemon/http-reply.js';
import { ControlErrorCodes } from '../daemon/protocol.js';
import type { Logger } from '../logger.js';
import { createMetricsEndpoint } from './metrics.js';
import type { Monitor } from './monitor.js';

/** What the control API needs to serve the monitor's routes. */
export interface MonitorRoutesOptions {
  monitor: Monitor;
  /** Whether `GET /metrics` needs the control token (config `dashboard.metrics.token`). @default true */
  metricsToken?: boolean;
}

/** The monitor's routes, for the control API to call once a request is admitted. */
export interface MonitorRoutes {
  /** Whether `GET /metrics` is behind the token. */
  readonly metricsNeedToken: boolean;
  /** Serves `GET /metrics`. */
  metrics(res: ServerResponse): void;
  /** Serves an authenticated request if it is one of ours (`GET /metrics`, `GET /api/apps/<name>/history`); false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

/**
 * `GET /api/apps/<name>/history[?since=<epoch ms>]` (the app's usage points, restarts and health
 * announcements) and `GET /metrics` (Prometheus text format).
 */
export function monitorRoutes({ monitor, metricsToken = true }: MonitorRoutesOptions, logger: Logger): MonitorRoutes {
  const endpoint = createMetricsEndpoint(monitor);
  const metrics = (res: ServerResponse): void => {
    endpoint.serve(res).catch((error: unknown) => {
      logger.error({ err: error }, 'metrics: could not build the metrics');
      if (!res.headersSent) refuse(res, 'internal', ControlErrorCodes.internal, 'Could not build the metrics; see .pm/daemon.log');
      else res.destroy();
    });
  };
  return {
    metricsNeedToken: metricsToken,
    metrics,
    handle(req, res, url) {
      if (req.method !== 'GET') return false;
      if (url.pathname === '/metrics') {
        metrics(res);
        return true;
      }
      const m = /^\/api\/apps\/([^/]+)\/history$/.exec(url.pathname);
      if (!m) return false;
      let name: string;
      try {
        name = decodeURIComponent(m[1]!);
      } catch {
        refuse(res, 'bad-request', ControlErrorCodes.badRequest, 'Malformed app name in the path');
        return true;
      }
      const sinceParam = url.searchParams.get('since');
      const since = sinceParam === null ? 0 : Number(sinceParam);
      if (!Number.isFinite(since) || since < 0) {
        refuse(
          res,
          'bad-request',
          ControlErrorCodes.badRequest,
          `\`since\` must be epoch milliseconds, e.g. ?since=${Date.now() - 60_000}`,
        );
        return true;
      }
      const history = monitor.history(name, since);
      if (!history)
        refuse(
          res,
          'not-found',
          'PM_APP_NOT_FOUND',
          `No app named ${JSON.stringify(name)} in this daemon's config; \`pm status\` lists them`,
        );
      else json(res, 200, history);
      return true;
    },
  };
}
