import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Server as TlsServer } from 'node:tls';
import type { DrainableServer } from './options.js';

/** The response a socket is serving (or served last), stored on the socket: no map lookup per request. */
const kResponse = Symbol('pm.health.response');
/** Set once a response has been told to close its connection. */
const kClosing = Symbol('pm.health.closing');

type TrackedSocket = Socket & { [kResponse]?: ServerResponse };
type TrackedResponse = ServerResponse & { [kClosing]?: true };

// Two event-loop turns: by the second check phase libuv has polled every socket again, so a request
// whose bytes landed while the signal callback ran has been parsed and shows as in flight instead of
// idle. (Bytes that arrived before the signal are read first anyway: libuv runs signal callbacks after
// the other I/O of the same poll.)
const afterNextPoll = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * How long a socket that is idle when draining starts may still bring a request before it is
 * destroyed. A busy keep-alive client sends its next request within a millisecond or so of the
 * previous response, which the server may have finished just before the signal: without this short
 * wait, that request would hit a destroyed socket (the classic keep-alive race). Short enough that
 * idle sockets still close "at once" for any practical purpose.
 */
const IDLE_GRACE_MS = 15;

/**
 * How long a socket that has not brought its first request when the listener closes may still bring
 * it. Such a socket was accepted a moment ago (clients that keep reconnecting during the drain delay
 * make many): destroying it at IDLE_GRACE_MS resets a request that is already on its way.
 */
const FRESH_GRACE_MS = 250;

/** The quiet (no new connection) that tells the accept queue is empty, before the listener closes. */
const QUIET_MS = 30;
/** The longest wait for that quiet: clients that never stop connecting get the close regardless. */
const QUIESCE_MAX_MS = 2000;

/**
 * Drains one server without dropping a request: tracks its sockets and what each is serving, then on
 * `drain()` stops accepting, closes idle keep-alive sockets at once, and closes busy ones as their
 * response ends (`Connection: close` when the headers are not out yet).
 */
export class ServerDrain {
  private readonly sockets = new Set<TrackedSocket>();
  /**
   * TLS only: every raw TCP socket, from 'connection'. One still in its TLS handshake (a stalled
   * client, a load balancer's TCP probe) has no TLSSocket yet, so `sockets` does not know it, yet it
   * keeps the server from closing: it is destroyed at `drainTimeout` with the busy ones.
   */
  private readonly rawSockets = new Set<Socket>();
  private readonly tls: boolean;
  private draining = false;
  /** performance.now() of the last accepted connection, and how many were accepted. */
  private lastConnectionAt = 0;
  private accepted = 0;

  constructor(private readonly server: DrainableServer) {
    // For TLS the socket that serves requests is the TLSSocket from 'secureConnection'; the raw TCP
    // socket under it never sees a request and would look idle forever, so it is only tracked apart.
    this.tls = server instanceof TlsServer;
    if (this.tls) {
      server.on('secureConnection', this.onConnection);
      server.on('connection', this.onRawConnection);
    } else server.on('connection', this.onConnection);
    // First in line, so the header is set before the app's own listener writes anything.
    server.prependListener('request', this.onRequest);
  }

  /** Stops tracking (removes the listeners this added). */
  untrack(): void {
    if (this.tls) {
      this.server.off('secureConnection', this.onConnection);
      this.server.off('connection', this.onRawConnection);
    } else this.server.off('connection', this.onConnection);
    this.server.off('request', this.onRequest);
  }

  /**
   * From now on every response closes its connection (`Connection: close`), in-flight ones included,
   * while the server still accepts. Called at the start of shutdown, before the drain delay: behind a
   * Kubernetes Service, a keep-alive connection keeps reaching this pod after it left the endpoints,
   * so clients must be told to reconnect (and land on another pod).
   */
  startDraining(): void {
    if (this.draining) return;
    this.draining = true;
    for (const socket of this.sockets) {
      const res = socket[kResponse];
      if (res && !res.writableFinished) this.closeAfter(res, socket);
    }
  }

  /**
   * Stops accepting and resolves once the server is closed and every connection is gone, or after
   * `timeout` ms with the number of connections it had to destroy then (0 when the drain was clean).
   */
  async drain(timeout: number, quiesce = false): Promise<number> {
    const deadline = performance.now() + timeout;
    if (quiesce) await this.quiesce(Math.min(QUIESCE_MAX_MS, timeout / 2));
    this.startDraining();
    // net.Server#close, not http.Server#close: the http one also destroys, right now, every connection
    // that looks idle, including one whose next request is arriving. We stop accepting now and close
    // idle sockets after the next poll instead (node:http's close would only add that early destroy).
    // Closed from the check phase, right after a poll: libuv's accept loop has just emptied the kernel's
    // accept queue, whose connections close() would reset. From a timer (where the drain delay ends),
    // every connection completed since the previous poll would still be queued.
    await new Promise((resolve) => setImmediate(resolve));
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(this.server, () => resolve()));
    await afterNextPoll();
    if (this.hasIdleSocket()) await new Promise((resolve) => setTimeout(resolve, IDLE_GRACE_MS));
    for (const socket of this.sockets) if (socket[kResponse]?.writableFinished) socket.destroy();
    // A socket accepted just before the close has not served anything yet: its client connected to send
    // a request, which on a busy loop may not be parsed within IDLE_GRACE_MS. It gets FRESH_GRACE_MS.
    const http = this.server as Partial<import('node:http').Server>;
    const fresh = setTimeout(
      () => {
        for (const socket of this.sockets) if (socket[kResponse] === undefined) socket.destroy();
        // Sockets that connected before we were attached are known only to node:http itself.
        http.closeIdleConnections?.();
      },
      Math.min(FRESH_GRACE_MS, timeout),
    );
    let timer: NodeJS.Timeout | undefined;
    const left = Math.max(0, deadline - performance.now());
    const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), left)));
    const outcome = await Promise.race([closed, expired]);
    clearTimeout(timer);
    clearTimeout(fresh);
    if (outcome !== 'expired') return 0;
    let cut = this.sockets.size;
    for (const socket of this.sockets) socket.destroy();
    http.closeAllConnections?.();
    // Destroying a TLSSocket destroys its raw socket at once; the raw sockets still open never
    // finished their handshake: count and destroy them too.
    for (const socket of this.rawSockets) {
      if (socket.destroyed) continue;
      cut++;
      socket.destroy();
    }
    await closed;
    return cut;
  }

  /** Requests being served now (a response not finished yet). */
  get inFlight(): number {
    let n = 0;
    for (const socket of this.sockets) {
      const res = socket[kResponse];
      if (res && !res.writableFinished) n++;
    }
    return n;
  }

  /**
   * Ends the drain delay's `Connection: close` and waits until no connection has arrived for QUIET_MS
   * (at most `max` ms). While every response closes its connection, clients that keep sending
   * reconnect for each request, and the kernel resets whatever sits in the accept queue when the
   * listener closes (Node cannot stop accepting without closing). Keep-alive answers stop the
   * reconnecting, the queue empties, and `drain()` then closes these connections without a reset.
   */
  private async quiesce(max: number): Promise<void> {
    this.draining = false;
    const until = performance.now() + max;
    while (performance.now() < until) {
      const quietFor = performance.now() - this.lastConnectionAt;
      if (quietFor < QUIET_MS) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(QUIET_MS - quietFor, until - performance.now()) + 1));
        continue;
      }
      // Quiet by the clock is not enough on a busy loop (nothing was accepted because nothing polled):
      // done only once a poll (libuv accepts until the queue is empty) has found no new connection.
      const accepted = this.accepted;
      await new Promise((resolve) => setImmediate(resolve));
      if (this.accepted === accepted) return;
    }
  }

  private hasIdleSocket(): boolean {
    for (const socket of this.sockets) if (socket[kResponse]?.writableFinished) return true;
    return false;
  }

  private readonly onConnection = (socket: TrackedSocket): void => {
    this.lastConnectionAt = performance.now();
    this.accepted++;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  };

  private readonly onRawConnection = (socket: Socket): void => {
    this.lastConnectionAt = performance.now();
    this.accepted++;
    this.rawSockets.add(socket);
    socket.once('close', () => this.rawSockets.delete(socket));
  };

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket as TrackedSocket;
    // A socket that connected before we were attached is picked up by its first request since.
    if (socket[kResponse] === undefined && !this.sockets.has(socket)) this.onConnection(socket);
    socket[kResponse] = res;
    if (this.draining) this.closeAfter(res, socket);
  };

  private closeAfter(res: TrackedResponse, socket: TrackedSocket): void {
    if (res[kClosing]) return;
    res[kClosing] = true;
    // node:http closes the connection after a response that says `Connection: close`…
    if (!res.headersSent) res.setHeader('Connection', 'close');
    // …and when the headers already went out as keep-alive, we end the socket once the response is done,
    // unless the socket has moved on to another request (pipelining), which gets the same treatment.
    res.once('finish', () => {
      // Like node's own destroySoon: FIN now, free the socket once it is flushed.
      if (socket[kResponse] === res) socket.end(() => socket.destroy());
    });
  }
}
