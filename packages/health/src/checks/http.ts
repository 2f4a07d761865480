import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { assertNoProblems, commonProblems, definition, since, type BuiltInCheckOptions } from './define.js';
import { withDetails } from './details.js';
import type { CheckDefinition } from '../health/options.js';
import { isRecord } from '../validate.js';

/** Options of `httpCheck`. */
export interface HttpCheckOptions extends BuiltInCheckOptions {
  /** Status codes that count as healthy: one, a list, or a predicate. @default any 2xx */
  expect?: number | readonly number[] | ((status: number) => boolean);
  /** Follow up to this many redirects (a 3xx is otherwise judged by `expect`, so fails by default). @default 0 */
  followRedirects?: number;
  /** Request method. @default 'GET' */
  method?: 'GET' | 'HEAD';
  /** Extra request headers (e.g. an auth token for the dependency's health URL); never reported. @default {} */
  headers?: Record<string, string>;
}

const ownKeys = ['expect', 'followRedirects', 'method', 'headers'];

/** The judge of a status code, from `expect`. */
function expectation(expect: HttpCheckOptions['expect']): (status: number) => boolean {
  if (expect === undefined) return (status) => status >= 200 && status < 300;
  if (typeof expect === 'function') return expect;
  const allowed = new Set(typeof expect === 'number' ? [expect] : expect);
  return (status) => allowed.has(status);
}

function optionProblems(url: unknown, options: HttpCheckOptions): { problems: string[]; target?: URL } {
  const problems = commonProblems(options, ownKeys);
  let target: URL | undefined;
  try {
    target = new URL(String(url));
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
      problems.unshift(`url must be http: or https: (got ${target.protocol})`);
  } catch {
    problems.unshift('url must be an absolute http(s) URL, e.g. http://127.0.0.1:4000/health');
  }
  const { expect, followRedirects, method, headers } = options;
  const validCode = (c: unknown) => Number.isInteger(c) && (c as number) >= 100 && (c as number) <= 599;
  const expectOk =
    expect === undefined ||
    typeof expect === 'function' ||
    validCode(expect) ||
    (Array.isArray(expect) && expect.length > 0 && expect.every(validCode));
  if (!expectOk) problems.push('expect must be a status code (100-599), a non-empty list of them, or a function (status) => boolean');
  if (followRedirects !== undefined && (!Number.isInteger(followRedirects) || followRedirects < 0 || followRedirects > 20)) {
    problems.push(`followRedirects must be a whole number from 0 to 20 (got ${JSON.stringify(followRedirects)})`);
  }
  if (method !== undefined && method !== 'GET' && method !== 'HEAD')
    problems.push(`method must be 'GET' or 'HEAD' (got ${JSON.stringify(method)})`);
  if (headers !== undefined && (!isRecord(headers) || !Object.values(headers).every((v) => typeof v === 'string'))) {
    problems.push('headers must be an object of header name -> string');
  }
  return { problems, target };
}

/**
 * Checks another service's health URL: one request on a keep-alive agent of its own, judged by its
 * status code. Reports `statusCode` and `latencyMs` (to the response headers); the body is read and
 * discarded, never reported, and the URL (which may hold credentials) is never reported either.
 * Follows no redirect unless `followRedirects` says how many.
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) for a URL that is not http(s) or a wrong option
 */
export function httpCheck(url: string | URL, options: HttpCheckOptions = {}): CheckDefinition {
  const { problems, target } = optionProblems(url, options);
  assertNoProblems('httpCheck', problems);
  const judge = expectation(options.expect);
  const maxRedirects = options.followRedirects ?? 0;
  // One socket is enough: concurrent probes share one run of the check.
  const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 1 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 1 }) };

  const check = async (signal: AbortSignal) => {
    const start = performance.now();
    let current = target!;
    for (let hop = 0; ; hop++) {
      // Headers (an auth token) go to the configured origin only, never to where a redirect points.
      const headers = current.origin === target!.origin ? options.headers : undefined;
      const res = await send(current, options.method ?? 'GET', headers, agents, signal);
      const location = res.headers.location;
      if (res.statusCode! >= 300 && res.statusCode! < 400 && location && hop < maxRedirects) {
        current = new URL(location, current);
        continue;
      }
      const details = { statusCode: res.statusCode!, latencyMs: since(start), redirects: hop };
      if (!judge(res.statusCode!)) throw withDetails(new Error(`${current.host} answered ${res.statusCode}`), details);
      return withDetails({}, details);
    }
  };
  return definition(options, check, () => {
    agents.http.destroy();
    agents.https.destroy();
  });
}

/** One request; resolves with the response once its headers arrive, draining the body so the socket is reused. */
function send(
  url: URL,
  method: string,
  headers: Record<string, string> | undefined,
  agents: { http: HttpAgent; https: HttpsAgent },
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const https = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, {
      method,
      headers: { accept: 'application/json, */*', ...headers },
      agent: https ? agents.https : agents.http,
      signal,
    });
    req.once('error', (error) => reject(signal.aborted ? new Error(`${url.host} did not answer in time`) : error));
    req.once('response', (res) => {
      res.resume();
      res.once('error', () => {}); // an aborted body after the verdict must not become an uncaught error
      resolve(res);
    });
    req.end();
  });
}
