// The shared Redis and PostgreSQL the check tests use, whether they are up, and a "hung server".
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createHealth, type HealthOptions } from '../src/index.js';

/** The shared test servers (override with REDIS_HOST/REDIS_PORT and the libpq PG* variables). */
export const services = {
  redis: { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) },
  postgres: {
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
    database: process.env.PGDATABASE ?? 'test',
  },
} as const;

/** True when something accepts TCP connections at host:port within `timeout` ms, else why not. */
export function portOpen(host: string, port: number, timeout = 500): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: true | string) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeout, () => done(`no answer within ${timeout} ms`));
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

/** Whether the shared service is up; prints why it is skipped, and throws under CI=true (there it must run). */
export async function serviceAvailable(kind: 'redis' | 'postgres'): Promise<boolean> {
  const { host, port } = services[kind];
  const open = await portOpen(host, port);
  if (open === true) return true;
  const message = `${kind === 'redis' ? 'Redis' : 'PostgreSQL'} at ${host}:${port} is not available (${open}).`;
  if (process.env.CI === 'true') throw new Error(`${message} CI=true: the check tests must run here; start it.`);
  console.warn(`[@pm/health tests] Skipping: ${message} Start it to run these tests.`);
  return false;
}

/** A port that accepts connections and never answers a byte: what a wedged dependency looks like. */
export async function hungServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A ready health registry served on 127.0.0.1; `url` ends without a slash. */
export async function serveHealth(options: HealthOptions): Promise<{ url: string; server: HttpServer; close(): Promise<void> }> {
  const health = createHealth({ announceToSupervisor: false, ...options });
  health.setReady();
  const server = createHttpServer((req, res) => health.handler(req, res, () => res.end('app\n')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    server,
    close: () =>
      new Promise((resolve) => {
        health.setShuttingDown();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Milliseconds taken by `fn`, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** A TCP proxy to host:port that a test can stop (closing every connection): a server going away, without touching the shared one. */
export async function tcpProxy(host: string, port: number): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const upstream = connect({ host, port });
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        socket.destroy();
        upstream.destroy();
      });
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
