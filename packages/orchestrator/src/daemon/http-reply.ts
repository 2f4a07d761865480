import type { ServerResponse } from 'node:http';
import { failure, httpStatusOf, toWire, type ControlResponse, type FailureReason } from './protocol.js';

// The control API's JSON answers, shared by its own routes (http-api.ts) and the monitor's (monitor/routes.ts).

/** Sends `body` as JSON with `status`; never cached (it is live state). */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Sends a dispatcher answer: the HTTP status comes from the failure's reason, the body is what daemon.sock sends too. */
export function answer(res: ServerResponse, response: ControlResponse): void {
  if (res.headersSent) return void res.end();
  json(res, response.ok ? 200 : httpStatusOf[response.reason], toWire(response));
}

/** A failure of the HTTP layer itself (routing, auth, limits), in the same shape as the dispatcher's. */
export function refuse(res: ServerResponse, reason: FailureReason, code: string, message: string): void {
  answer(res, failure(reason, code, message));
}
