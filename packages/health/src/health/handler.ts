import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { Pressure } from '../pressure/pressure.js';
import type { HealthReport, LifecycleState } from './report.js';
import { toIetf } from './report.js';

/**
 * A `node:http` request listener. Use it as `http.createServer(handler)` (other paths get 404), or
 * as middleware: with `next`, any other path or method falls through to `next()`.
 */
export type HealthHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** What the handler needs from the health registry. */
export interface HandlerSource {
  paths: { health: string; live: string; ready: string };
  format: 'default' | 'ietf';
  notFound: boolean;
  logger: Logger;
  state(): LifecycleState;
  /** Changes whenever the state or the set of checks changes: a reused report must not outlive either. */
  version(): number;
  /** The full report; synchronous when nothing async is registered (the hot path). */
  report(): HealthReport | Promise<HealthReport>;
  /** Whether every critical check of the probe passes; undefined when the probe has no check (answer at once). */
  probePasses(probe: 'readiness' | 'liveness'): Promise<boolean> | undefined;
  /** Load shedding from `underPressure()`, if configured. */
  pressure: Pressure | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const IETF_TYPE = 'application/health+json; charset=utf-8';

// Fixed bodies are encoded once; only /health has a body that changes per request.
const fixed = (value: object) => Buffer.from(JSON.stringify(value));
const LIVE = fixed({ status: 'ok' });
const READY: Record<string, Buffer> = {
  healthy: fixed({ status: 'healthy' }),
  initializing: fixed({ status: 'initializing' }),
  shutting_down: fixed({ status: 'shutting_down' }),
  unhealthy: fixed({ status: 'unhealthy' }),
};
const LIVE_FAILING = fixed({ status: 'unhealthy' });
const NOT_FOUND = fixed({ error: 'Not Found' });
const SHED = fixed({ error: 'Service Unavailable', reason: 'under pressure' });
const METHOD_NOT_ALLOWED = fixed({ error: 'Method Not Allowed' });

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  head: boolean,
  extra?: { allow?: string; 'retry-after'?: number },
): void {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  // writeHead with every header at once: one header serialisation, no per-header setHeader calls.
  const headers: Record<string, string | number> = { 'content-type': type, 'cache-control': 'no-store', 'content-length': length };
  if (extra) Object.assign(headers, extra);
  res.writeHead(status, headers);
  res.end(head ? undefined : body);
}

/** Builds the request listener over a health registry. */
export function createHandler(source: HandlerSource): HealthHandler {
  const { health, live, ready } = source.paths;
  const reportType = source.format === 'ietf' ? IETF_TYPE : JSON_TYPE;
  const serialize = source.format === 'ietf' ? (r: HealthReport) => JSON.stringify(toIetf(r)) : (r: HealthReport) => JSON.stringify(r);

  const sendReport = (res: ServerResponse, report: HealthReport, head: boolean) =>
    send(res, report.status === 'healthy' ? 200 : 503, reportType, serialize(report), head);

  // A synchronous report is reused by every request in the same millisecond (the resolution of its
  // timestamp) while state and checks are unchanged: under a burst of probes, the memory sample
  // (a few syscalls) and the serialisation are paid once per ms instead of once per request.
  let memo: { at: number; version: number; status: number; body: Buffer } | undefined;

  const fail = (res: ServerResponse, error: unknown) => {
    // Only reachable through a bug or a throwing logger: never leave the probe hanging.
    source.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'health report failed');
    if (!res.headersSent) send(res, 503, JSON_TYPE, READY.unhealthy!, false);
    else res.destroy();
  };

  const pressure = source.pressure;
  const answerReady = (res: ServerResponse, head: boolean) => {
    const state = source.state();
    const load = state === 'healthy' ? pressure?.state() : undefined;
    if (load?.overLimit) {
      const body = JSON.stringify({ status: 'under_pressure', pressure: load });
      send(res, 503, JSON_TYPE, body, head, { 'retry-after': pressure!.retryAfter });
      return;
    }
    const answer = (status: keyof typeof READY) =>
      send(res, status === 'healthy' ? 200 : 503, JSON_TYPE, load ? JSON.stringify({ status, pressure: load }) : READY[status]!, head);
    const passes = state === 'healthy' ? source.probePasses('readiness') : undefined;
    if (passes === undefined) answer(state);
    else
      passes.then(
        (ok) => answer(ok ? 'healthy' : 'unhealthy'),
        (error: unknown) => fail(res, error),
      );
  };

  return function healthHandler(req, res, next) {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path !== health && path !== live && path !== ready) {
      // App routes only (those handed to `next`): shed while over a limit, one field read otherwise.
      if (next && pressure?.overLimit) send(res, 503, JSON_TYPE, SHED, req.method === 'HEAD', { 'retry-after': pressure.retryAfter });
      else if (next) next();
      else if (source.notFound) send(res, 404, JSON_TYPE, NOT_FOUND, req.method === 'HEAD');
      return;
    }
    const head = req.method === 'HEAD';
    if (!head && req.method !== 'GET') {
      if (next) next();
      else send(res, 405, JSON_TYPE, METHOD_NOT_ALLOWED, false, { allow: 'GET, HEAD' });
      return;
    }

    if (path === live) {
      // Liveness checks are not run while draining: dependencies and samplers are being closed.
      const passes = source.state() === 'shutting_down' ? undefined : source.probePasses('liveness');
      if (passes === undefined) send(res, 200, JSON_TYPE, LIVE, head);
      else
        passes.then(
          (ok) => send(res, ok ? 200 : 503, JSON_TYPE, ok ? LIVE : LIVE_FAILING, head),
          (error: unknown) => fail(res, error),
        );
      return;
    }

    if (path === ready) {
      answerReady(res, head);
      return;
    }

    try {
      const now = Date.now();
      const version = source.version();
      if (memo !== undefined && memo.at === now && memo.version === version) {
        send(res, memo.status, reportType, memo.body, head);
        return;
      }
      const report = source.report();
      if (report instanceof Promise) {
        report.then(
          (r) => sendReport(res, r, head),
          (error: unknown) => fail(res, error),
        );
        return;
      }
      memo = { at: now, version, status: report.status === 'healthy' ? 200 : 503, body: Buffer.from(serialize(report)) };
      send(res, memo.status, reportType, memo.body, head);
    } catch (error) {
      fail(res, error);
    }
  };
}
