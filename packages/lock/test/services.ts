// Where the Redis and PostgreSQL the backend tests use live, whether they are there, and private
// throw-away servers for the tests that must restart one (the shared servers are never restarted).
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { absent as sharedAbsent, freePort, portOpen, serviceAvailable as sharedServiceAvailable, services, waitFor } from '@pm/test-utils';

/** `postgres://user@host:port/db` of the shared test database. */
export const postgresUrl = (over: { port?: number; user?: string; database?: string } = {}): string => {
  const { host, port, user, database } = { ...services.postgres, ...over };
  return `postgres://${user}@${host}:${port}/${database}`;
};

/** Environment for fixture processes: `pg` reads the PG* variables. */
export const postgresEnv = (): Record<string, string> => ({
  PGHOST: services.postgres.host,
  PGPORT: String(services.postgres.port),
  PGUSER: services.postgres.user,
  PGDATABASE: services.postgres.database,
});

/** Whether the shared service is up for the backend tests (prints why not; throws under CI=true). */
export const serviceAvailable = (kind: 'redis' | 'postgres'): Promise<boolean> => sharedServiceAvailable('@pm/lock', kind);

/** Reports something the backend tests need as absent (see the shared `absent`). */
const absent = (what: string, why: string): false => sharedAbsent('@pm/lock', what, why);

export { portOpen, services };

/** Absolute path of a server binary on PATH (or, for PostgreSQL, in the Debian/Ubuntu layout), or undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const version of readdirSync(debian).sort().reverse()) dirs.push(join(debian, version, 'bin'));
  }
  return dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
}

/** Whether the binaries needed for a private server are installed; prints why not (throws under CI=true). */
export function binariesAvailable(...names: string[]): boolean {
  const missing = names.filter((name) => !findBinary(name));
  return missing.length === 0 ? true : absent(`The server binaries ${missing.join(', ')}`, 'not on PATH');
}

/** A throw-away server on a free port that a test may stop and restart. */
export interface PrivateServer {
  readonly port: number;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function waitForPort(port: number, up: boolean): Promise<void> {
  await waitFor(async () => ((await portOpen('127.0.0.1', port, 200)) === true) === up, {
    timeout: 10_000,
    message: `port ${port} ${up ? 'up' : 'down'}`,
  });
}

/** A private redis-server without persistence: a restart forgets every key, like a crashed cache. */
export async function startPrivateRedis(): Promise<PrivateServer> {
  const binary = findBinary('redis-server')!;
  const port = await freePort();
  let child: ReturnType<typeof spawn> | undefined;
  const start = async () => {
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(port, true);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    await waitForPort(port, false);
  };
  await start();
  return {
    port,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
  };
}

/**
 * A private PostgreSQL cluster (initdb, trust auth, fsync off) in a temp folder. PostgreSQL refuses
 * to run as root, so as root it runs as the `postgres` user.
 */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pm-lock-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = userIds('postgres');
    chownSync(dir, uid, gid);
  }
  const run = (binary: string, args: string[]) => {
    const [command, fullArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', findBinary(binary)!, ...args]] : [findBinary(binary)!, args];
    const result = spawnSync(command, fullArgs, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${binary} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const ctl = (...args: string[]) => run('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), ...args]);
  ctl('-o', options, 'start');
  return {
    port,
    restart: async () => ctl('-o', options, '-m', 'fast', 'restart'),
    stop: async () => {
      try {
        ctl('-m', 'immediate', 'stop');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function userIds(user: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Reads a journal of "enter <pid> [fence]" / "exit <pid>" lines and returns the fencing tokens in
 * the order the holders entered; throws when two holders overlapped.
 */
export function checkJournal(text: string): { entries: number; fences: number[] } {
  const lines = text.trim().split('\n');
  let inside: string | null = null;
  const fences: number[] = [];
  for (const [index, line] of lines.entries()) {
    const [event, pid, fence] = line.split(' ') as [string, string, string | undefined];
    if (event === 'enter') {
      if (inside !== null) throw new Error(`line ${index + 1}: pid ${pid} entered while ${inside} held the lock`);
      inside = pid;
      if (fence !== undefined) fences.push(Number(fence));
    } else {
      if (inside !== pid) throw new Error(`line ${index + 1}: pid ${pid} left, but ${inside} was inside`);
      inside = null;
    }
  }
  return { entries: fences.length || lines.length / 2, fences };
}
