// The shared Redis and PostgreSQL that the lock and health tests use, and whether they are up.
import { connect } from 'node:net';

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

/**
 * Decides whether a suite that needs something absent runs: prints why it is skipped (naming the
 * `suite`, e.g. `@pm/lock`) and returns false, except under CI=true, where it is a failure (throws).
 */
export function absent(suite: string, what: string, why: string): false {
  const message = `${what} is not available (${why}).`;
  if (process.env.CI === 'true') throw new Error(`${message} CI=true: the ${suite} tests must run here; start it.`);
  console.warn(`[${suite} tests] Skipping: ${message} Start it to run these tests.`);
  return false;
}

/** Whether the shared service is up; prints why not (throws under CI=true, see {@link absent}). */
export async function serviceAvailable(suite: string, kind: 'redis' | 'postgres'): Promise<boolean> {
  const { host, port } = services[kind];
  const open = await portOpen(host, port);
  return open === true ? true : absent(suite, `${kind === 'redis' ? 'Redis' : 'PostgreSQL'} at ${host}:${port}`, open);
}
