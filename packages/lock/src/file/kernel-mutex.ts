import { createHash } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';

// Mutual exclusion from the kernel: on Linux a Unix socket in the abstract namespace is owned by
// exactly one listener and vanishes the instant its process dies (no file to go stale, no mtime
// threshold, no check-then-remove race). The holder also answers each connection with its record
// and keeps the connection open, so a waiter learns of a release or a crash the moment it happens.

/** Abstract socket address for a canonical lock path. */
export function mutexAddress(canonicalPath: string): string {
  return `\0@pm/lock:${createHash('sha256').update(canonicalPath).digest('hex').slice(0, 48)}`;
}

/** A held kernel mutex. */
export class KernelMutex {
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {
    server.on('connection', (socket) => {
      socket.unref();
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.write(`${this.answer()}\n`);
    });
  }

  private answer: () => string = () => '';

  /** Binds the address, or returns null when a live process holds it. */
  static tryBind(address: string): Promise<KernelMutex | null> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') resolve(null);
        else reject(error);
      });
      server.listen({ path: address }, () => {
        server.unref(); // holding a lock must not keep the process alive
        resolve(new KernelMutex(server));
      });
    });
  }

  /** Sets what a querying process is told (the holder record as JSON). */
  answerWith(answer: () => string): void {
    this.answer = answer;
  }

  /** Releases the mutex and wakes every waiter at once. */
  close(): void {
    this.server.close();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

/** What a probe of the address found. */
export type MutexProbe =
  | { held: false }
  | {
      held: true;
      /** The first line the holder sent (its record), if it answered in time. */
      answer: string | undefined;
      /** Resolves when the holder releases or dies, or after `ms`; then disconnects. */
      waitForRelease(ms: number): Promise<void>;
      /** Disconnects at once. */
      close(): void;
    };

/** Connects to the holder (if any), reads its answer, and keeps the connection for `waitForRelease`. */
export function probeMutex(address: string, answerTimeoutMs = 250): Promise<MutexProbe> {
  return new Promise((resolve) => {
    const socket = connect({ path: address });
    let buffered = '';
    let settled = false;
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const finish = (answer: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        held: true,
        answer,
        close: () => socket.destroy(),
        waitForRelease: async (ms) => {
          let wake: NodeJS.Timeout | undefined;
          await Promise.race([closed, new Promise<void>((done) => (wake = setTimeout(done, ms)))]);
          clearTimeout(wake);
          socket.destroy();
        },
      });
    };
    const timer = setTimeout(() => finish(undefined), answerTimeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end >= 0) finish(buffered.slice(0, end));
    });
    socket.on('error', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // ECONNREFUSED / ENOENT: nobody listens, so nobody in this network namespace holds the lock.
      resolve({ held: false });
    });
    socket.on('close', () => {
      // Holder vanished between connect and answer: report what we have; waitForRelease returns at once.
      finish(buffered.includes('\n') ? buffered.slice(0, buffered.indexOf('\n')) : undefined);
    });
  });
}
