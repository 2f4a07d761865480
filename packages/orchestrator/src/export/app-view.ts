import { relative, sep } from 'node:path';
import type { ResolvedApp } from '../config/resolve.js';

/** The port an app listens on, when fixed (`'auto'` and none give null). */
export function fixedPort(app: ResolvedApp): number | null {
  return typeof app.port === 'number' ? app.port : null;
}

/** `text` with `${PORT}` replaced by the app's port (left as is without a fixed port). */
export function withPort(text: string, port: number | null): string {
  return port === null ? text : text.replaceAll('${PORT}', String(port));
}

/** The app's environment as exported: its `env`, plus `PORT` when the port is fixed (as pm passes it). */
export function appEnv(app: ResolvedApp, port = fixedPort(app)): Record<string, string> {
  return port === null ? { ...app.env } : { ...app.env, PORT: String(port) };
}

/** The program and arguments pm runs: `[node, script, ...args]` or the command (a string runs through `/bin/sh -c`). */
export function appCommand(app: ResolvedApp, node: string, script = app.script): string[] {
  if (script !== null) return [node, script, ...app.args];
  if (typeof app.command === 'string') return ['/bin/sh', '-c', app.command];
  return [...app.command!, ...app.args];
}

/** `to` relative to `from`, with `/` separators and `.` for the same folder. */
export function relPath(from: string, to: string): string {
  const rel = relative(from, to).split(sep).join('/');
  return rel === '' ? '.' : rel;
}

/** A probe target the way `pm wait` (wait-on) takes it: an http URL or `tcp:host:port`. */
export type WaitResource = string;

/** The resource `pm wait` polls to learn `app` is ready, or null when its readiness kind has no such probe. */
export function readyResource(app: ResolvedApp, port = fixedPort(app)): WaitResource | null {
  const r = app.ready;
  if (r.kind === 'http') return usable(withPort(r.url, port));
  if (r.kind === 'tcp') return usable(tcpResource(withPort(String(r.target), port)));
  return null;
}

/** The resource a liveness probe polls, or null. */
export function healthResource(app: ResolvedApp, port = fixedPort(app)): WaitResource | null {
  const h = app.health;
  if (h?.http) return usable(withPort(h.http, port));
  if (h?.tcp !== null && h?.tcp !== undefined) return usable(tcpResource(withPort(String(h.tcp), port)));
  return null;
}

const usable = (resource: string): string | null => (resource.includes('${PORT}') ? null : resource);

/** `3000` or `host:3000` as wait-on's `tcp:host:port` (localhost by default). */
export function tcpResource(target: string): string {
  return /^\d+$/.test(target) ? `tcp:localhost:${target}` : `tcp:${target}`;
}

/** A probe split into what probes need: http path, port, host; or a tcp host and port. */
export type ProbeTarget =
  { kind: 'http'; host: string; port: number; path: string; scheme: 'HTTP' | 'HTTPS' } | { kind: 'tcp'; host: string; port: number };

/** Parses a wait resource into a {@link ProbeTarget}. */
export function probeTarget(resource: WaitResource): ProbeTarget {
  if (resource.startsWith('tcp:')) {
    const at = resource.lastIndexOf(':');
    return { kind: 'tcp', host: resource.slice(4, at).replace(/^\[|\]$/g, ''), port: Number(resource.slice(at + 1)) };
  }
  const url = new URL(resource);
  const https = url.protocol === 'https:';
  return {
    kind: 'http',
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : https ? 443 : 80,
    path: `${url.pathname}${url.search}`,
    scheme: https ? 'HTTPS' : 'HTTP',
  };
}

/** True for hosts that mean "this machine". */
export function isLocalHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Rewrites `http://127.0.0.1:<port>` / `localhost:<port>` in `text` to `<service>:<port>` when
 * another app listens on that port: in containers each app is its own host, named by its service.
 */
export function toServiceHosts(text: string, services: ReadonlyMap<number, string>): string {
  return text.replace(/\b(localhost|127\.\d+\.\d+\.\d+|\[::1\]):(\d{1,5})\b/g, (whole, _host: string, port: string) => {
    const service = services.get(Number(port));
    return service ? `${service}:${port}` : whole;
  });
}

/** Milliseconds as whole seconds, rounded up (probe and grace fields take seconds). */
export const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** A duration for systemd and Compose: `5s` when whole seconds, else `1500ms`. */
export const duration = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
