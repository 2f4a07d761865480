import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
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
  async drain(timeout: number): Promise<number> {
    this.startDraining();
    // net.Server#close, not http.Server#close: the http one also destroys, right now, every connection
    // that looks idle, including one whose next request is arriving. We stop accepting now and close
    // idle sockets after the next poll instead (node:http's close would only add that early destroy).
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(this.server, () => resolve()));
    await afterNextPoll();
    if (this.hasIdleSocket()) await new Promise((resolve) => setTimeout(resolve, IDLE_GRACE_MS));
    for (const socket of this.sockets) {
      const res = socket[kResponse];
      if (!res || res.writableFinished) socket.destroy();
    }
    // Sockets that connected before we were attached are known only to node:http itself.
    const http = this.server as Partial<import('node:http').Server>;
    http.closeIdleConnections?.();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), timeout)));
    const outcome = await Promise.race([closed, expired]);
    clearTimeout(timer);
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

  private hasIdleSocket(): boolean {
    for (const socket of this.sockets) {
      const res = socket[kResponse];
      if (!res || res.writableFinished) return true;
    }
    return false;
  }

  private readonly onConnection = (socket: TrackedSocket): void => {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  };

  private readonly onRawConnection = (socket: Socket): void => {
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
