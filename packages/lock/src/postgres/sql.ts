import { createHash } from 'node:crypto';

/** The 64-bit advisory lock key of a lock name, and its halves as `pg_locks` shows them. */
export interface LockKey {
  /** Signed 64-bit key, as a decimal string (JavaScript numbers cannot hold it). */
  key: string;
  /** High 32 bits (`pg_locks.classid`). */
  classid: string;
  /** Low 32 bits (`pg_locks.objid`). */
  objid: string;
}

/**
 * The key is the first 8 bytes of SHA-256("pm-lock:" + name): stable across processes, machines and
 * versions, and the prefix keeps it away from keys an app derives from the same name itself.
 */
export function lockKeyOf(name: string): LockKey {
  const digest = createHash('sha256').update(`pm-lock:${name}`).digest();
  const unsigned = digest.readBigUInt64BE(0);
  return {
    key: BigInt.asIntN(64, unsigned).toString(),
    classid: (unsigned >> 32n).toString(),
    objid: (unsigned & 0xffffffffn).toString(),
  };
}

/** `"schema"."table"`, from a name already validated as identifiers. */
export const quoteTable = (table: string): string =>
  table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');

/**
 * A statement prepared once per connection and then only bound and executed: the acquire statement
 * costs several times more to parse and plan than to run. The name is derived from the text, so two
 * backends with different tables never reuse each other's statement on a shared connection.
 */
export interface Prepared {
  name: string;
  text: string;
}

const prepared = (text: string): Prepared => ({ name: `pm_lock_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text });

/** The SQL statements of the backend. */
export interface Statements {
  /** Creates the record table (table mode only). */
  createTable: string;
  acquire: Prepared;
  /** Like `acquire`, for a session that already holds the advisory lock (after a blocking wait). */
  record: Prepared;
  /** $1 key, $2 name, $3 instanceId, $4 application_name to restore. */
  release: Prepared;
  check: Prepared;
  inspect: Prepared;
}

// Who holds the key now, according to the server's lock table ($1 classid, $2 objid).
const holderPid = `(SELECT l.pid FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid = $1::oid AND l.objid = $2::oid
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1)`;

/**
 * One round trip per acquire and per release. An acquire takes the lock and stores the record in one
 * statement; when busy, it reads the holder's pid from pg_locks and its record in the same trip
 * (the CASEs keep those reads off the fast path). It locks only on the server session it expects ($6):
 * on any other one (a transaction-mode pooler switched sessions) it takes nothing and answers `locked`
 * NULL, so a refused pooler never strands a lock on a pooled session.
 * Parameters: $1 classid, $2 objid, $3 key, $4 name, $5 holder (JSON, or the application_name), $6 expected backend pid.
 * It answers `previous`, the session's application_name before, for release to restore.
 */
export function statements(table: string, recordIn: 'table' | 'application_name'): Statements {
  const t = quoteTable(table);
  const attemptCte = (attempt: string) =>
    `WITH attempt AS MATERIALIZED (SELECT CASE WHEN pg_backend_pid() = $6::int THEN ${attempt} END AS locked, current_setting('application_name') AS previous)`;
  const acquire =
    recordIn === 'table'
      ? (attempt: string) => `${attemptCte(attempt)},
written AS (
  INSERT INTO ${t} (name, lock_key, backend_pid, holder, acquired_at)
  SELECT $4, $3::bigint, pg_backend_pid(), $5::jsonb, now() FROM attempt WHERE locked
  ON CONFLICT (name) DO UPDATE SET lock_key = excluded.lock_key, backend_pid = excluded.backend_pid,
    holder = excluded.holder, acquired_at = excluded.acquired_at
  RETURNING 1
)
SELECT a.locked, a.previous, pg_backend_pid() AS pid, (SELECT count(*) FROM written) AS written,
  CASE WHEN NOT a.locked THEN ${holderPid} END AS holder_pid,
  CASE WHEN NOT a.locked THEN (SELECT row_to_json(r) FROM ${t} r WHERE r.name = $4) END AS row
FROM attempt a`
      : // application_name is session state: setting it writes nothing, so this costs what a bare lock costs.
        (attempt: string) => `${attemptCte(attempt)}
SELECT a.locked, a.previous, pg_backend_pid() AS pid, $4::text AS name,
  CASE WHEN a.locked THEN set_config('application_name', $5::text, false) END AS written,
  CASE WHEN NOT a.locked THEN ${holderPid} END AS holder_pid,
  CASE WHEN NOT a.locked THEN (SELECT s.application_name FROM pg_stat_activity s WHERE s.pid = ${holderPid}) END AS holder_app
FROM attempt a`;
  return {
    createTable: `CREATE UNLOGGED TABLE IF NOT EXISTS ${t} (
  name text PRIMARY KEY,
  lock_key bigint NOT NULL,
  backend_pid integer NOT NULL,
  holder jsonb NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now()
)`,
    acquire: prepared(acquire('pg_try_advisory_lock($3::bigint)')),
    record: prepared(acquire('$3::bigint IS NOT NULL')),
    // The record goes in the same statement as the lock, so nobody reads a record of a holder that is gone.
    release: prepared(
      recordIn === 'table'
        ? `WITH gone AS (DELETE FROM ${t} WHERE name = $2 AND holder->>'instanceId' = $3)
SELECT pg_advisory_unlock($1::bigint) AS unlocked, $4::text IS NULL AS restored`
        : `SELECT pg_advisory_unlock($1::bigint) AS unlocked, set_config('application_name', $4::text, false) AS restored,
  $2::text AS name, $3::text AS instance`,
    ),
    // $1 classid, $2 objid: does this very session still hold the key?
    check: prepared(`SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
  AND classid = $1::oid AND objid = $2::oid AND pid = pg_backend_pid()) AS held, pg_backend_pid() AS pid`),
    // $1 classid, $2 objid, $3 name
    inspect: prepared(
      recordIn === 'table'
        ? `SELECT ${holderPid} AS holder_pid, $3::text AS name`
        : `SELECT h.pid AS holder_pid, s.application_name AS holder_app, $3::text AS name
FROM (SELECT ${holderPid} AS pid) h LEFT JOIN pg_stat_activity s ON s.pid = h.pid`,
    ),
  };
}

/** Reads the record in table mode ($1 name); apart from inspect, since the table may not exist yet. */
export const readRecordSql = (table: string): Prepared =>
  prepared(`SELECT row_to_json(r) AS row FROM ${quoteTable(table)} r WHERE r.name = $1`);

/**
 * Waits up to `ms` in the server's queue for the key, so a waiter is woken the instant the holder's
 * session ends. A simple-protocol string (no parameters), so the key is inlined: it is our own integer.
 */
export function blockingLockSql(key: string, ms: number): string {
  return `BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.round(ms))}; SELECT pg_advisory_lock(${BigInt(key).toString()}); COMMIT;`;
}

/** SQLSTATEs the backend tells apart. */
export const SqlState = {
  undefinedTable: '42P01',
  /** A prepared statement missing on the session: statements are being spread over sessions (a pooler). */
  invalidStatementName: '26000',
  /** A prepared statement already on the session: another client's, as a pooler shares sessions. */
  duplicatePreparedStatement: '42P05',
  duplicateTable: '42P07',
  /** A concurrent CREATE TABLE made the table's row type first (the IF NOT EXISTS check is not atomic). */
  duplicateObject: '42710',
  uniqueViolation: '23505',
  lockNotAvailable: '55P03',
  insufficientPrivilege: '42501',
} as const;
