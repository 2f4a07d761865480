import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

/** Limits on the control port's connections, applied before (and regardless of) authentication. */
export interface ConnectionLimits {
  /** Connections open at once, authenticated or not; more are closed by Node as they arrive. @default 128 */
  maxConnections: number;
  /**
   * Connections that have not yet sent a request with the right token. When one more arrives, the
   * oldest of them is closed: a local user holding idle connections cannot exhaust the daemon's file
   * descriptors, nor lock the token holder out. @default 16
   */
  maxUnauthenticated: number;
  /** Ms a connection has to send a request with the right token before it is closed. @default 10000 */
  authenticateWithin: number;
  /** Ms to receive a request's headers (Node's `headersTimeout`). @default 5000 */
  headersTimeout: number;
  /** Ms an idle keep-alive connection stays open (Node's `keepAliveTimeout`). @default 5000 */
  keepAliveTimeout: number;
}

/** Defaults of {@link ConnectionLimits}. */
export const connectionLimits: Readonly<ConnectionLimits> = {
  maxConnections: 128,
  maxUnauthenticated: 16,
  authenticateWithin: 10_000,
  headersTimeout: 5_000,
  keepAliveTimeout: 5_000,
};

/** Options for `http.createServer` that apply the timeouts of {@link ConnectionLimits}. */
export function httpServerOptions(limits: ConnectionLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeout,
    requestTimeout: limits.headersTimeout * 2,
    keepAliveTimeout: limits.keepAliveTimeout,
    // Node checks the two timeouts above only this often (30 s by default).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeout),
  };
}

/** Tracks the control port's connections until they authenticate. */
export interface ConnectionGuard {
  /** Marks a connection as the token holder's: no longer counted nor timed as unauthenticated. */
  authenticated(socket: Socket): void;
}

/**
 * Applies the connection caps of {@link ConnectionLimits} to an HTTP server created with
 * {@link httpServerOptions} (whose timeouts bound slow headers and idle keep-alive); the unauthenticated pool (a Map keeps insertion order, so its first key is the oldest)
 * bounds what someone without the token can hold open.
 */
export function guardConnections(server: Server, limits: ConnectionLimits): ConnectionGuard {
  server.maxConnections = limits.maxConnections;
  const pending = new Map<Socket, NodeJS.Timeout>();
  const release = (socket: Socket): void => {
    clearTimeout(pending.get(socket));
    pending.delete(socket);
  };
  server.on('connection', (socket: Socket) => {
    while (pending.size >= limits.maxUnauthenticated) {
      const oldest = pending.keys().next().value!;
      release(oldest);
      oldest.destroy();
    }
    const timer = setTimeout(() => {
      pending.delete(socket);
      socket.destroy();
    }, limits.authenticateWithin);
    timer.unref();
    pending.set(socket, timer);
    socket.once('close', () => release(socket));
  });
  return { authenticated: release };
}
