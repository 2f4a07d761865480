import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../logger.js';
import type { Orchestrator } from '../supervisor/orchestrator.js';
import { ensurePrivateDir } from './private-dir.js';
import type { DaemonRequest, DaemonResponse } from './protocol.js';

/** Options of {@link startSocketServer}. */
export interface SocketServerOptions {
  /** Path of the Unix socket (`PM_HOME/daemon.sock`, or under `/tmp/pm-<uid>/` for deep projects). */
  socketPath: string;
  /** PM_HOME: a socket outside it lives in a folder that must be ours alone. */
  home: string;
  orchestrator: Orchestrator;
  /** The config file the daemon supervises (answered to `ping`). */
  configFile: string;
  /** The dashboard's URL and port, or null when it is off (answered to `dashboard`). */
  dashboard: () => { url: string; port: number } | null;
  /** Called when a request arrives and when its answer is sent (the daemon does not exit while one is in flight). */
  onRequest: { begin(): void; end(): void };
  logger: Logger;
}

/** The daemon's listening socket. */
export interface SocketServer {
  /** Stops listening, drops open connections and removes the socket file. */
  close(): void;
}

/**
 * Listens on daemon.sock: one JSON request line per connection, one JSON answer line, then the
 * connection closes.
 */
export async function startSocketServer(options: SocketServerOptions): Promise<SocketServer> {
  const { socketPath, orchestrator, logger } = options;
  const handle = async (request: DaemonRequest): Promise<DaemonResponse> => {
    switch (request.cmd) {
      case 'ping':
        return { ok: true, data: { pid: process.pid, config: options.configFile } };
      case 'status':
        return { ok: true, status: await orchestrator.status() };
      case 'dashboard': {
        const dashboard = options.dashboard();
        return dashboard
          ? { ok: true, data: dashboard }
          : {
              ok: false,
              error: {
                code: 'PM_DASHBOARD_OFF',
                message: 'The dashboard is off (dashboard: false) or its port was busy; see .pm/daemon.log',
              },
            };
      }
      case 'start':
      case 'stop':
      case 'restart':
        try {
          await orchestrator[request.cmd](request.names);
          return { ok: true, status: await orchestrator.status() };
        } catch (error) {
          const e = error as { code?: string; message: string };
          return { ok: false, error: { code: e.code ?? 'PM_ERROR', message: e.message }, status: await orchestrator.status() };
        }
      default:
        return {
          ok: false,
          error: { code: 'PM_BAD_REQUEST', message: `unknown command ${JSON.stringify((request as { cmd?: unknown }).cmd)}` },
        };
    }
  };

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > 64 * 1024) return socket.destroy();
      const newline = buffer.indexOf('\n');
      if (newline === -1) return;
      const line = buffer.slice(0, newline);
      buffer = '';
      options.onRequest.begin();
      let request: DaemonRequest;
      try {
        request = JSON.parse(line) as DaemonRequest;
      } catch {
        request = { cmd: 'invalid' } as unknown as DaemonRequest;
      }
      void handle(request)
        .catch((error: unknown): DaemonResponse => {
          // e.g. orchestrator.status() failed: answer the CLI rather than leave it hanging.
          logger.error({ err: error, cmd: request.cmd }, 'could not answer a CLI request');
          return {
            ok: false,
            error: {
              code: 'PM_ERROR',
              message: `The daemon could not answer ${JSON.stringify(request.cmd)}: ${(error as Error)?.message ?? String(error)}; see .pm/daemon.log`,
            },
          };
        })
        .then((response) => socket.end(`${JSON.stringify(response)}\n`))
        .finally(() => options.onRequest.end());
    });
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
    server.listen(socketPath, () => resolve());
  });
  if (process.platform !== 'win32') chmodSync(socketPath, 0o600);
  return {
    close() {
      server.close();
      for (const socket of sockets) socket.destroy();
      if (process.platform !== 'win32') rmSync(socketPath, { force: true });
    },
  };
}
