import { randomUUID } from 'node:crypto';
import { chmodSync, lstatSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { linkIfAbsent } from './atomic-file.js';
import { takeTakeoverGuard } from './takeover-guard.js';
import { openUnixAddress, type UnixAddress } from './unix-path.js';

// The mutex is a Unix socket file beside the lock file (`<lock>.sock`), so folder permissions apply:
// only a user who may write the lock's folder can create it. (It replaced an abstract socket, whose
// name anyone could compute and bind first.) A socket appears at that name only already listening
// (bound under a private name, then linked into place), so `ECONNREFUSED` there means its holder is
// dead: the kernel closes a listener the instant its process dies, and the next contender replaces it
// (see replaceDead). The holder answers each
// connection with its record and keeps it open, so a waiter learns of a release at once.

/** Path of the mutex socket of a lock file. */
export const socketPathOf = (lockPath: string): string => `${lockPath}.sock`;

/** What was at the socket path when judged; a dead socket is replaced only if it is still the same. */
interface SocketIdentity {
  ino: bigint;
  ctimeNs: bigint;
}

function lstatIdentity(path: string): (SocketIdentity & { isSocket: boolean; uid: number }) | null {
  try {
    const stat = lstatSync(path, { bigint: true });
    return { ino: stat.ino, ctimeNs: stat.ctimeNs, isSocket: stat.isSocket(), uid: Number(stat.uid) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

const sameIdentity = (now: SocketIdentity | null, then: SocketIdentity): boolean =>
  now !== null && now.ino === then.ino && now.ctimeNs === then.ctimeNs;

/** Removes `path` if it is still the inode `ino` (a name only its owner, alive, would remove). */
function unlinkIfInode(path: string, ino: number): void {
  try {
    if (lstatSync(path).ino === ino) unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Removes a claim left by a crashed taker, under the takeover guard, if it is still that one. */
async function removeDeadClaim(claim: string, lockPath: string, dead: SocketIdentity): Promise<void> {
  const releaseGuard = await takeTakeoverGuard(lockPath);
  if (!releaseGuard) return;
  try {
    if (sameIdentity(lstatIdentity(claim), dead)) unlinkSync(claim);
  } finally {
    await releaseGuard();
  }
}

/** What a probe of the socket path found. */
export type MutexProbe =
  /** Nobody listens: `dead` is what sits there (a dead socket or junk), null when nothing does. */
  | { state: 'free'; dead: SocketIdentity | null }
  | {
      state: 'held';
      /** The first line the holder sent (its record), if it answered in time. */
      answer: string | undefined;
      /** Owner of the socket file: the user whose process holds the lock. */
      ownerUid: number;
      /** Resolves when the holder releases or dies, or after `ms`; then disconnects. */
      waitForRelease(ms: number): Promise<void>;
      /** Disconnects at once. */
      close(): void;
    }
  /** A socket this user may not connect to (another user's, mode 0600): its holder cannot be told. */
  | { state: 'unreachable'; ownerUid: number };

/** Connects to the holder (if any), reads its answer, and keeps the connection for `waitForRelease`. */
export async function probeMutex(path: string, answerTimeoutMs = 250): Promise<MutexProbe> {
  const found = lstatIdentity(path);
  if (!found) return { state: 'free', dead: null };
  if (!found.isSocket) return { state: 'free', dead: found }; // junk at the name: replaced like a dead socket
  const target = openUnixAddress(path);
  return new Promise((resolve) => {
    const socket = connect({ path: target.address });
    target.close(); // connect() resolved the path synchronously
    let buffered = '';
    let settled = false;
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const held = (answer: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        state: 'held',
        answer,
        ownerUid: found.uid,
        close: () => socket.destroy(),
        waitForRelease: async (ms) => {
          let wake: NodeJS.Timeout | undefined;
          await Promise.race([closed, new Promise<void>((done) => (wake = setTimeout(done, ms)))]);
          clearTimeout(wake);
          socket.destroy();
        },
      });
    };
    const timer = setTimeout(() => held(undefined), answerTimeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end >= 0) held(buffered.slice(0, end));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error.code === 'ECONNREFUSED') resolve({ state: 'free', dead: found });
      else if (error.code === 'ENOENT')
        resolve({ state: 'free', dead: null }); // released meanwhile
      else resolve({ state: 'unreachable', ownerUid: found.uid }); // EACCES and the like: cannot tell
    });
    socket.on('close', () => {
      // Holder vanished between connect and answer: report what we have; waitForRelease returns at once.
      held(buffered.includes('\n') ? buffered.slice(0, buffered.indexOf('\n')) : undefined);
    });
  });
}

/** Who may connect: the owner, and the group or others when they may write the folder (they may replace it anyway). */
function socketMode(folder: string): number {
  const folderMode = statSync(folder).mode;
  return 0o600 | (folderMode & 0o020 ? 0o060 : 0) | (folderMode & 0o002 ? 0o006 : 0);
}

/** A held socket mutex. */
export class SocketMutex {
  private readonly sockets = new Set<Socket>();
  private answer: () => string = () => '';
  private path: string | undefined;

  private constructor(
    private readonly server: Server,
    private readonly address: UnixAddress,
    private readonly temp: string,
    private readonly ino: number,
  ) {
    server.on('connection', (socket) => {
      socket.unref();
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.write(`${this.answer()}\n`);
    });
  }

  /** Listens on a fresh private name beside `path`; nobody can reach it until it is linked into place. */
  static async listen(path: string): Promise<SocketMutex> {
    // randomUUID draws from a cached entropy pool: several times cheaper than randomBytes per call.
    const temp = `${path}.${randomUUID().slice(0, 13)}`;
    const address = openUnixAddress(temp);
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ path: address.address }, () => resolve());
      });
      server.unref(); // holding a lock must not keep the process alive
      chmodSync(temp, socketMode(dirname(path)));
      return new SocketMutex(server, address, temp, lstatSync(temp).ino);
    } catch (error) {
      server.close();
      address.close();
      throw error;
    }
  }

  /** Sets what a querying process is told (the holder record as JSON). */
  answerWith(answer: () => string): void {
    this.answer = answer;
  }

  /** Puts this socket at `path` if nothing is there (true), else leaves everything as it is (false). */
  placeIfAbsent(path: string): boolean {
    if (!linkIfAbsent(this.temp, path)) return false;
    this.path = path;
    unlinkSync(this.temp);
    return true;
  }

  /**
   * Replaces the dead socket (or junk) `dead` at `path`; false when something else is there now or
   * another taker is at work. Takers are serialised by a claim: this very socket linked at
   * `<path>.claim`, so a claim is alive exactly as long as its taker, and the common path stays
   * synchronous. Only a claim left by a crashed taker needs the slower takeover guard to be removed.
   */
  async replaceDead(path: string, lockPath: string, dead: SocketIdentity): Promise<boolean> {
    const claim = `${path}.claim`;
    if (!linkIfAbsent(this.temp, claim)) {
      const other = await probeMutex(claim);
      if (other.state === 'held') other.close();
      if (other.state === 'free' && other.dead) await removeDeadClaim(claim, lockPath, other.dead);
      return false;
    }
    try {
      // Holding the claim, nobody else replaces the socket, and nobody can link over an existing name.
      if (!sameIdentity(lstatIdentity(path), dead)) return false;
      renameSync(this.temp, path);
      this.path = path;
      return true;
    } finally {
      unlinkIfInode(claim, this.ino);
    }
  }

  /** Releases the mutex: its name first (if still ours), then the listener, which wakes every waiter. */
  close(): void {
    if (this.path) {
      unlinkIfInode(this.path, this.ino);
    } else {
      try {
        unlinkSync(this.temp);
      } catch {
        // Never placed, or already gone.
      }
    }
    this.server.close(); // libuv also unlinks the private name, already gone
    this.address.close();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

/** Either the mutex, or what was found holding it (`free` here means: try again now). */
export type MutexAttempt = { mutex: SocketMutex } | { mutex: null; probe: MutexProbe };

/**
 * One attempt at the mutex of `lockPath`: link a listening socket into place, or replace a dead one
 * under the takeover guard. Two contenders never both succeed, and a live holder is never replaced.
 */
export async function acquireSocketMutex(lockPath: string): Promise<MutexAttempt> {
  const path = socketPathOf(lockPath);
  const own = await SocketMutex.listen(path);
  try {
    for (let tries = 0; tries < 3; tries++) {
      if (own.placeIfAbsent(path)) return { mutex: own };
      const probe = await probeMutex(path);
      if (probe.state !== 'free') {
        own.close();
        return { mutex: null, probe };
      }
      if (probe.dead && (await own.replaceDead(path, lockPath, probe.dead))) return { mutex: own };
      // Released, replaced or being replaced meanwhile: look again.
    }
    own.close();
    return { mutex: null, probe: { state: 'free', dead: null } };
  } catch (error) {
    own.close();
    throw error;
  }
}
