import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../logger.js';
import type { Orchestrator } from '../supervisor/orchestrator.js';
import { createDispatcher } from './dispatcher.js';
import { ensurePrivateDir } from './private-dir.js';
import { ControlErrorCodes, failure, parseDaemonRequest, toWire, type ControlResponse } from './protocol.js';

/** Limits of daemon.sock: what one connection may send, how long it may stay silent, how many may be open. */
export interface SocketServerLimits {
  /** Open connections at most; one more is answered `PM_BUSY` and closed. @default 64 */
  maxConnections: number;
  /** Bytes a request line may have (newline excluded). @default 65536 */
  maxRequestBytes: number;
  /** Ms a connection has to send its request line before it is answered `PM_BAD_REQUEST` and closed. @default 10000 */
  requestTimeout: number;
}

/** Defaults of {@link SocketServerLimits}. */
export const socketServerLimits: Readonly<SocketServerLimits> = { maxConnections: 64, maxRequestBytes: 64 * 1024, requestTimeout: 10_000 };

/** Options of {@link startSocketServer}. */
export interface SocketServerOptions {
  /** Path of the Unix socket (`PM_HOME/daemon.sock`, or under `/tmp/pm-<uid>/` for deep projects). */
  socketPath: string;
  /** PM_HOME: a socket outside it lives in a folder that must be ours alone. */
  home: string;
  /** The orchestrator the requests act on. */
  orchestrator: Orchestrator;
  /** The config file the daemon supervises (answered to `ping`). */
  configFile: string;
  /** The dashboard's URL and port, or null when it is off (answered to `dashboard`). */
  dashboard: () => { url: string; port: number } | null;
  /** Called when a request line arrives and when its answer is sent (the daemon does not exit while one is in flight). */
  onRequest: { begin(): void; end(): void };
  /** Where failures of the daemon itself are logged (daemon.log). */
  logger: Logger;
  /** Size, time and count limits. @default {@link socketServerLimits} */
  limits?: Partial<SocketServerLimits>;
}

/** The daemon's listening socket. */
export interface SocketServer {
  /** Stops listening, drops open connections and removes the socket file. */
  close(): void;
}

const NEWLINE = 0x0a;

/**
 * Listens on daemon.sock: one JSON request line per connection, one JSON answer line, then the
 * connection closes. Whatever arrives (not JSON, not an object, too long, never finished, more than
 * one line) gets an error line and never an exception: the daemon supervises apps and must outlive
 * any client.
 */
export async function startSocketServer(options: SocketServerOptions): Promise<SocketServer> {
  const { socketPath, logger, onRequest } = options;
  const limits: SocketServerLimits = { ...socketServerLimits, ...options.limits };
  const dispatch = createDispatcher({
    orchestrator: options.orchestrator,
    ping: () => ({ pid: process.pid, config: options.configFile }),
    dashboard: options.dashboard,
    logger,
  });

  /** Parses and runs one request line; resolves with the answer, never rejects. */
  const answerLine = async (line: Buffer): Promise<ControlResponse> => {
    let value: unknown;
    try {
      value = JSON.parse(line.toString('utf8'));
    } catch (error) {
      return failure(
        'bad-request',
        ControlErrorCodes.badRequest,
        `The request is not JSON (${(error as Error).message.slice(0, 100)}); send one JSON object such as {"cmd":"status"} and a newline`,
      );
    }
    const request = parseDaemonRequest(value);
    return 'ok' in request ? request : dispatch(request);
  };

  const sockets = new Set<Socket>();
  // allowHalfOpen: a client that sends a partial line and ends its side still gets told what was wrong.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined); // a client that vanished: nothing to answer
    if (sockets.size >= limits.maxConnections) {
      send(socket, failure('busy', ControlErrorCodes.busy, `The daemon has ${limits.maxConnections} connections open; try again`));
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, limits, answerLine, onRequest, logger);
  });
  if (process.platform !== 'win32') {
    // No process-wide umask change (apps spawned meanwhile would inherit it): the socket is created with
    // the default umask (no write bit for others, so they cannot connect) and made 0600 right after.
    // PM_HOME itself was made 0700 when created; an existing one (a shared folder) is left as it is, and
    // the socket is 0600 below. The /tmp folder of a deep project is ours alone, or we refuse it.
    if (dirname(socketPath) !== options.home) ensurePrivateDir(dirname(socketPath));
    rmSync(socketPath, { force: true }); // stale socket of a dead daemon; the caller holds the lock
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Accept errors (EMFILE under fd pressure) are the server's, not a client's: log, keep listening.
  server.on('error', (error) => logger.error({ err: error }, 'daemon.sock: accept failed'));
  if (process.platform !== 'win32') chmodSync(socketPath, 0o600);
  return {
    close() {
      server.close();
      for (const socket of sockets) socket.destroy();
      if (process.platform !== 'win32') rmSync(socketPath, { force: true });
    },
  };
}

/** Ms a connection may linger after its answer (a client still sending a huge line gets to read it) before it is cut. */
const LINGER_MS = 2000;

/**
 * Writes the answer line and ends our side. What the client still sends is read and dropped, so a
 * client in the middle of writing too much can finish and read the answer; one that never closes is
 * cut after {@link LINGER_MS}.
 */
function send(socket: Socket, response: ControlResponse): void {
  if (socket.destroyed || socket.writableEnded) return;
  socket.end(`${JSON.stringify(toWire(response))}\n`);
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(linger));
}

/** Reads one request line from a connection, within the size and time limits, and answers it once. */
function serveConnection(
  socket: Socket,
  limits: SocketServerLimits,
  answerLine: (line: Buffer) => Promise<ControlResponse>,
  onRequest: { begin(): void; end(): void },
  logger: Logger,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let answered = false;
  const reply = (response: ControlResponse): void => {
    answered = true;
    clearTimeout(timer);
    send(socket, response);
  };
  const badRequest = (message: string) => reply(failure('bad-request', ControlErrorCodes.badRequest, message));
  const timer = setTimeout(
    () => badRequest(`No complete request line within ${limits.requestTimeout} ms; send one JSON object and a newline`),
    limits.requestTimeout,
  );
  const tooLarge = `The request is larger than ${limits.maxRequestBytes} bytes; send one JSON object such as {"cmd":"status"} and a newline`;

  socket.on('data', (chunk: Buffer) => {
    if (answered) return; // one request per connection: later lines are ignored
    const newline = chunk.indexOf(NEWLINE);
    const head = newline === -1 ? chunk : chunk.subarray(0, newline);
    size += head.length;
    if (size > limits.maxRequestBytes) return badRequest(tooLarge);
    chunks.push(head);
    if (newline === -1) return;
    answered = true;
    clearTimeout(timer);
    const line = Buffer.concat(chunks);
    if (line.toString('utf8').trim() === '') return badRequest('Empty request line; send one JSON object such as {"cmd":"status"}');
    onRequest.begin();
    answerLine(line)
      .catch((error: unknown) => {
        logger.error({ err: error }, 'daemon.sock: could not answer a request');
        return failure('internal', ControlErrorCodes.internal, 'The daemon could not answer; see .pm/daemon.log');
      })
      .then((response) => send(socket, response))
      .finally(() => onRequest.end());
  });
  socket.on('end', () => {
    if (answered) return;
    if (size > 0) return badRequest('The request line has no newline at its end; send one JSON object and a newline');
    reply(failure('bad-request', ControlErrorCodes.badRequest, 'No request was sent'));
  });
  socket.on('close', () => clearTimeout(timer));
}
