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
export const quoteTable = (table: string): string => table.split('.').map((part) => `"${part}"`).join('.');

/** The SQL statements of the backend, for one table. */
export interface Statements {
  createTable: string;
  acquire: string;
  /** Like `acquire`, for a session that already holds the advisory lock (after a blocking wait). */
  record: string;
  release: string;
  check: string;
  inspect: string;
  readRecord: string;
}

// Who holds the key now, according to the server's lock table ($1 classid, $2 objid).
const holderPid = `(SELECT l.pid FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid = $1::oid AND l.objid = $2::oid
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1)`;

/**
 * One round trip per acquire and per release. An acquire takes the lock and writes the record in one
 * statement; when busy, it reads the holder's pid from pg_locks and its record in the same trip
 * (the CASE keeps those reads off the fast path). It locks only on the server session it expects ($6):
 * on any other one (a transaction-mode pooler switched sessions) it takes nothing and answers `locked`
 * NULL, so a refused pooler never strands a lock on a pooled session.
 * Parameters: $1 classid, $2 objid, $3 key, $4 name, $5 holder JSON, $6 expected backend pid.
 */
export function statements(table: string): Statements {
  const t = quoteTable(table);
  const acquire = (attempt: string) => `
WITH attempt AS MATERIALIZED (SELECT CASE WHEN pg_backend_pid() = $6::int THEN ${attempt} END AS locked),
written AS (
  INSERT INTO ${t} (name, lock_key, backend_pid, holder, acquired_at)
  SELECT $4, $3::bigint, pg_backend_pid(), $5::jsonb, now() FROM attempt WHERE locked
  ON CONFLICT (name) DO UPDATE SET lock_key = excluded.lock_key, backend_pid = excluded.backend_pid,
    holder = excluded.holder, acquired_at = excluded.acquired_at
  RETURNING 1
)
SELECT a.locked, pg_backend_pid() AS pid, (SELECT count(*) FROM written) AS written,
  CASE WHEN NOT a.locked THEN ${holderPid} END AS holder_pid,
  CASE WHEN NOT a.locked THEN (SELECT row_to_json(r) FROM ${t} r WHERE r.name = $4) END AS row
FROM attempt a`;
  return {
    createTable: `CREATE UNLOGGED TABLE IF NOT EXISTS ${t} (
  name text PRIMARY KEY,
  lock_key bigint NOT NULL,
  backend_pid integer NOT NULL,
  holder jsonb NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now()
)`,
    acquire: acquire('pg_try_advisory_lock($3::bigint)'),
    record: acquire('$3::bigint IS NOT NULL'),
    // $1 key, $2 name, $3 instanceId. The record goes first, in the same statement, so nobody reads
    // a record of a holder that is gone.
    release: `WITH gone AS (DELETE FROM ${t} WHERE name = $2 AND holder->>'instanceId' = $3)
SELECT pg_advisory_unlock($1::bigint) AS unlocked`,
    // $1 classid, $2 objid: does this very session still hold the key?
    check: `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
  AND classid = $1::oid AND objid = $2::oid AND pid = pg_backend_pid()) AS held, pg_backend_pid() AS pid`,
    inspect: `SELECT ${holderPid} AS holder_pid`,
    // $1 name
    readRecord: `SELECT row_to_json(r) AS row FROM ${t} r WHERE r.name = $1`,
  };
}

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
  duplicateTable: '42P07',
  uniqueViolation: '23505',
  lockNotAvailable: '55P03',
  insufficientPrivilege: '42501',
} as const;
