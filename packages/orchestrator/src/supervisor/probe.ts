import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

/** `localhost` may resolve to either family while the app listens on only one: try both. */
const LOOPBACKS = ['127.0.0.1', '::1'];

/** Replaces `${PORT}` with the app's port. */
export function withPort(text: string, port: number | null): string {
  return port === null ? text : text.replaceAll('${PORT}', String(port));
}

/** One HTTP GET: true on a 2xx/3xx answer within `timeout` ms. `localhost` is tried on 127.0.0.1 and ::1. */
export async function probeHttp(url: string, timeout: number): Promise<boolean> {
  const parsed = new URL(url);
  if (parsed.hostname === 'localhost') {
    const results = await Promise.all(LOOPBACKS.map((host) => httpOnce(parsed, timeout, host)));
    return results.some(Boolean);
  }
  return httpOnce(parsed, timeout);
}

function httpOnce(url: URL, timeout: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      { method: 'GET', timeout, agent: false, ...(host ? { hostname: host, headers: { host: url.host } } : {}), rejectUnauthorized: false },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(status >= 200 && status < 400);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Splits a tcp target (`8000`, `'host:8000'`, `'[::1]:8000'`) into hosts to try and a port. */
export function tcpTarget(target: string | number, port: number | null): { hosts: string[]; port: number } {
  const text = withPort(String(target), port);
  const m = /^(?:\[([^\]]+)\]:|([^:]+):)?(\d+)$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const p = Number(m?.[3] ?? NaN);
  return { hosts: !host || host === 'localhost' ? LOOPBACKS : [host], port: p };
}

/** True when a TCP connection to the target opens within `timeout` ms (any of the hosts). */
export async function probeTcp(target: string | number, port: number | null, timeout: number): Promise<boolean> {
  const { hosts, port: p } = tcpTarget(target, port);
  const results = await Promise.all(hosts.map((host) => tcpOnce(host, p, timeout)));
  return results.some(Boolean);
}

function tcpOnce(host: string, port: number, timeout: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeout, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
