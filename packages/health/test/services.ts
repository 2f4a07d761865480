// The shared Redis and PostgreSQL the check tests use, whether they are up, and a "hung server".
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { portOpen, serviceAvailable as sharedServiceAvailable, services } from '@pm/test-utils';
import { createHealth, type HealthOptions } from '../src/index.js';

/** Whether the shared service is up for the check tests (prints why not; throws under CI=true). */
export const serviceAvailable = (kind: 'redis' | 'postgres'): Promise<boolean> => sharedServiceAvailable('@pm/health', kind);

export { portOpen, services };

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
