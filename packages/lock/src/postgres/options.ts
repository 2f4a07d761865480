import { InvalidLockOptionsError } from '../errors.js';
import type { PgClientLike, PgPoolLike } from './types.js';

/** Options of {@link postgresBackend}: exactly one of `pool`, `client` and `connectionString`. */
export interface PostgresBackendOptions {
  /**
   * A `pg.Pool`. One of its connections is checked out for as long as the lock is held (a session
   * advisory lock lives and dies with its connection), so size the pool for it. Must reach PostgreSQL
   * directly or through a session-mode pooler, never a transaction-mode one (PgBouncer `pool_mode = transaction`).
   * @default none
   */
  pool?: PgPoolLike;
  /**
   * A connected `pg.Client` the lock may use for its whole life. The backend never ends it; ending it
   * (or losing its connection) loses the lock. Other queries on it are fine.
   * @default none
   */
  client?: PgClientLike;
  /**
   * A connection string (`postgres://user@host:5432/db`): the backend opens its own connection with
   * `pg` (imported on first use, so install it) and closes it on release.
   * @default none
   */
  connectionString?: string;
  /**
   * Table of holder records (`name`, `lock_key`, `backend_pid`, `holder`, `acquired_at`), created on
   * first use as an UNLOGGED table. May be schema-qualified (`ops.instance_locks`); quoted as given.
   * @default 'pm_instance_locks'
   */
  table?: string;
  /**
   * Where the holder's record is kept. `table`: the whole record (metadata included) as JSON in `table`;
   * one small write per acquire and per release; `inspectInstanceLock` can tell `stale` (a holder that
   * died) from `free`. `application_name`: pid, port, start time and host in the lock session's
   * application_name (63 bytes; visible in pg_stat_activity); no table and no writes, so an acquire
   * costs what a bare advisory lock costs, but no metadata, and `stale` is never reported.
   * @default 'table'
   */
  recordIn?: 'table' | 'application_name';
  /** Create the table when it is missing. Turn off when the role may not create tables (create it once yourself; see docs/backends.md). @default true */
  createTable?: boolean;
  /**
   * Milliseconds to wait for a connection (`connectionString`: the TCP + auth handshake; `pool`: a free
   * client) before failing with `PM_LOCK_BACKEND_UNAVAILABLE`.
   * @default 5000
   */
  connectTimeout?: number;
  /** Milliseconds to wait for any one query's answer before failing (acquire) or declaring the lock lost (while held). @default 5000 */
  queryTimeout?: number;
  /**
   * How often (ms) a held lock checks, on its connection, that its session still holds the advisory
   * lock. A dropped connection is reported at once (its error event); a connection that hangs is
   * reported after at most `checkInterval + queryTimeout`.
   * @default 1000
   */
  checkInterval?: number;
  /**
   * TCP keepalive idle time (ms) set on the lock's socket, so a dead peer is noticed in seconds rather
   * than the operating system's two-hour default.
   * @default 10000
   */
  keepAliveDelay?: number;
}

/** Defaults of {@link PostgresBackendOptions}, in one place (the docs are tested against it). */
export const postgresBackendDefaults = {
  table: 'pm_instance_locks',
  recordIn: 'table' as 'table' | 'application_name',
  createTable: true,
  connectTimeout: 5000,
  queryTimeout: 5000,
  checkInterval: 1000,
  keepAliveDelay: 10_000,
} as const;

/** Options after defaults and validation. */
export type ResolvedPostgresOptions = Omit<Required<PostgresBackendOptions>, 'pool' | 'client' | 'connectionString'> & {
  source: { pool: PgPoolLike } | { client: PgClientLike } | { connectionString: string };
};

// Plain or schema-qualified SQL identifiers; anything else would need quoting rules users get wrong.
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/;

const positiveInt = (value: unknown, min: number) => typeof value === 'number' && Number.isInteger(value) && value >= min;

/** Validates every option and reports every problem at once. */
export function resolvePostgresOptions(options: PostgresBackendOptions): ResolvedPostgresOptions {
  const problems: string[] = [];
  const given = (typeof options === 'object' && options !== null ? options : {}) as PostgresBackendOptions;
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as PostgresBackendOptions;
  const merged = { ...postgresBackendDefaults, ...defined };
  const sources = (['pool', 'client', 'connectionString'] as const).filter((k) => defined[k] !== undefined);
  if (sources.length !== 1) {
    problems.push(`pass exactly one of pool, client or connectionString (got ${sources.length === 0 ? 'none' : sources.join(' and ')})`);
  }
  if (defined.pool !== undefined && typeof (defined.pool as PgPoolLike)?.connect !== 'function')
    problems.push('pool must be a pg Pool (with .connect())');
  if (defined.client !== undefined && typeof (defined.client as PgClientLike)?.query !== 'function')
    problems.push('client must be a connected pg Client (with .query())');
  if (defined.connectionString !== undefined && (typeof defined.connectionString !== 'string' || defined.connectionString === '')) {
    problems.push('connectionString must be a non-empty string such as postgres://user@host:5432/db');
  }
  if (typeof merged.table !== 'string' || !TABLE_NAME.test(merged.table)) {
    problems.push(
      `table must be a SQL identifier, optionally schema-qualified, such as pm_instance_locks or ops.locks (got ${JSON.stringify(merged.table)})`,
    );
  }
  if (merged.recordIn !== 'table' && merged.recordIn !== 'application_name') {
    problems.push(`recordIn must be 'table' or 'application_name' (got ${JSON.stringify(merged.recordIn)})`);
  }
  if (typeof merged.createTable !== 'boolean') problems.push('createTable must be a boolean');
  for (const field of ['connectTimeout', 'queryTimeout', 'checkInterval', 'keepAliveDelay'] as const) {
    if (!positiveInt(merged[field], field === 'keepAliveDelay' ? 1000 : 1)) {
      problems.push(
        `${field} must be an integer number of milliseconds >= ${field === 'keepAliveDelay' ? 1000 : 1} (got ${JSON.stringify(merged[field])})`,
      );
    }
  }
  if (problems.length > 0) throw new InvalidLockOptionsError(problems);
  const source = defined.pool
    ? { pool: defined.pool }
    : defined.client
      ? { client: defined.client }
      : { connectionString: defined.connectionString! };
  return {
    table: merged.table,
    recordIn: merged.recordIn,
    createTable: merged.createTable,
    connectTimeout: merged.connectTimeout,
    queryTimeout: merged.queryTimeout,
    checkInterval: merged.checkInterval,
    keepAliveDelay: merged.keepAliveDelay,
    source,
  };
}
