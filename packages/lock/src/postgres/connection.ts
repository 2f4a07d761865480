import { hostname } from 'node:os';
import { LockBackendUnavailableError } from '../errors.js';
import { withTimeout } from '../timeout.js';
import type { ResolvedPostgresOptions } from './options.js';
import type { Prepared } from './sql.js';
import type { PgClientLike, PgPoolClientLike, PgResultLike } from './types.js';

/** A connection dedicated to one lock (or one waiting attempt), whichever way it was obtained. */
export interface LockConnection {
  readonly client: PgClientLike;
  /** `pool`: checked out of the user's pool; `own`: opened from the connection string; `user`: the user's client. */
  readonly origin: 'pool' | 'own' | 'user';
  /** Runs one query (a string, or a statement prepared once per connection) under the query timeout. */
  query(statement: string | Prepared, values?: unknown[]): Promise<PgResultLike>;
  /**
   * Lets go of the connection. `dirty`: its session may still hold the lock (or be mid-query), so a pooled
   * or owned connection is closed, which makes the server drop its locks, instead of being reused.
   */
  close(dirty: boolean): void;
}

/** `postgres://user@host:port/db` of a client or pool settings, without a password. */
export function describeServer(
  settings: { host?: string; port?: number; database?: string; user?: string; connectionString?: string } | undefined,
): string {
  if (!settings) return 'postgres';
  if (settings.connectionString) {
    try {
      const url = new URL(settings.connectionString);
      url.password = '';
      return url.toString();
    } catch {
      return 'postgres';
    }
  }
  const host = settings.host ?? process.env.PGHOST ?? 'localhost';
  const port = settings.port ?? (Number(process.env.PGPORT) || 5432);
  const user = settings.user ? `${settings.user}@` : '';
  return `postgres://${user}${host}:${port}/${settings.database ?? process.env.PGDATABASE ?? ''}`;
}

// Sockets already given keepalive: a setsockopt per acquire would be wasted on a reused client.
const keptAlive = new WeakSet<object>();

/** Sets TCP keepalive on the socket of a `pg` client we did not configure ourselves (best effort). */
function enableKeepAlive(client: PgClientLike, delay: number): void {
  const stream = (client as { connection?: { stream?: { setKeepAlive?: (on: boolean, delay: number) => unknown } } }).connection?.stream;
  if (!stream || keptAlive.has(stream)) return;
  try {
    stream.setKeepAlive?.(true, delay);
    keptAlive.add(stream);
  } catch {
    // Not a TCP socket (a test double, or a custom stream): nothing to set.
  }
}

/** A listener that keeps a connection error from crashing the process before a lock handle watches it. */
const swallow = (): void => undefined;

/**
 * Opens a dedicated connection, within `connectTimeout`. Errors are `LockBackendUnavailableError`s that
 * say what to check.
 */
export async function openConnection(options: ResolvedPostgresOptions, lockName: string, server: string): Promise<LockConnection> {
  const { source, connectTimeout, queryTimeout, keepAliveDelay } = options;
  const unavailable = (cause: unknown) =>
    new LockBackendUnavailableError(
      `Could not connect to PostgreSQL at ${server} for lock "${lockName}": ${(cause as Error)?.message ?? String(cause)}. ` +
        'Check that the server is running and reachable, and the user, password and database.',
      { cause },
    );
  const timedOut = () => new Error(`no connection within ${connectTimeout} ms (connectTimeout)`);

  let client: PgClientLike;
  let origin: LockConnection['origin'];
  if ('pool' in source) {
    const pending = source.pool.connect();
    try {
      client = await withTimeout(pending, connectTimeout, timedOut);
    } catch (error) {
      pending.then(
        (late) => late.release(),
        () => undefined,
      ); // a client that arrives late goes back unused
      throw unavailable(error);
    }
    origin = 'pool';
    enableKeepAlive(client, keepAliveDelay);
  } else if ('client' in source) {
    client = source.client;
    origin = 'user';
    enableKeepAlive(client, keepAliveDelay);
  } else {
    let Client: (typeof import('pg'))['Client'];
    try {
      // Imported here, on first use: the other two sources, and apps that never use PostgreSQL, need no `pg`.
      Client = (await import('pg')).default.Client;
    } catch (error) {
      throw new LockBackendUnavailableError('postgresBackend({ connectionString }) needs the `pg` package: npm install pg', {
        cause: error,
      });
    }
    const own = new Client({
      connectionString: source.connectionString,
      connectionTimeoutMillis: connectTimeout,
      keepAlive: true,
      keepAliveInitialDelayMillis: keepAliveDelay,
      // Names the holder in pg_stat_activity for whoever looks from the server side.
      application_name: `pm-lock ${lockName} ${process.pid}@${hostname()}`.slice(0, 63),
    });
    own.on('error', swallow);
    try {
      await withTimeout(own.connect(), connectTimeout + 100, timedOut);
    } catch (error) {
      void own.end().catch(() => undefined);
      throw unavailable(error);
    }
    client = own as unknown as PgClientLike;
    origin = 'own';
  }
  client.on('error', swallow);

  let closed = false;
  return {
    client,
    origin,
    query: (statement, values) =>
      withTimeout(
        typeof statement === 'string' ? client.query(statement, values) : client.query({ ...statement, values }),
        queryTimeout,
        () => new Error(`no answer within ${queryTimeout} ms (queryTimeout)`),
      ),
    close(dirty) {
      if (closed) return;
      closed = true;
      if (origin === 'own') {
        // The listener stays: a late socket error after end() must not crash the process.
        void client.end?.().catch(() => undefined);
        return;
      }
      client.removeListener('error', swallow);
      if (origin === 'pool') {
        (client as PgPoolClientLike).release(dirty ? new Error('@pm/lock: session state unknown; closing the connection') : undefined);
      }
    },
  };
}
