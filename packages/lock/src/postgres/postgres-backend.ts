import type { BackendRequest, InspectRequest, InspectResult, LockBackend, TryAcquireResult } from '../backend.js';
import { LockBackendUnavailableError } from '../errors.js';
import { parseHolderRecord, type HolderRecord } from '../record.js';
import { withTimeout } from '../timeout.js';
import { describeServer, openConnection, type LockConnection } from './connection.js';
import { resolvePostgresOptions, type PostgresBackendOptions } from './options.js';
import { PostgresSessionHandle } from './session-handle.js';
import { applicationNameOf, recordFromApplicationName } from './app-name.js';
import { blockingLockSql, lockKeyOf, readRecordSql, SqlState, statements, type LockKey, type Prepared } from './sql.js';
import type { PgClientLike } from './types.js';

/** The PostgreSQL advisory-lock backend. */
export interface PostgresLockBackend extends LockBackend {
  readonly kind: 'postgres';
}

/** A waiting attempt's connection, kept between attempts; `holds` once a blocking wait got the key. */
interface Probe {
  connection: LockConnection;
  /** The server session's pid, once known. */
  sessionPid?: number;
  holds: boolean;
  waiting: Promise<void> | undefined;
  disposed: boolean;
}

// Locks held through a user's own client, per client: the server would grant the same session the same
// key again (advisory locks are re-entrant per session), so this process must refuse it itself.
const heldOnUserClients = new WeakMap<PgClientLike, Map<string, HolderRecord>>();

const sqlState = (error: unknown): string | undefined => (error as { code?: unknown })?.code as string | undefined;

function parseRow(row: unknown): { record: HolderRecord | undefined; backendPid: number | undefined } {
  if (typeof row !== 'object' || row === null) return { record: undefined, backendPid: undefined };
  const { holder, backend_pid: backendPid } = row as { holder?: unknown; backend_pid?: unknown };
  return {
    record: parseHolderRecord(holder),
    backendPid: typeof backendPid === 'number' ? backendPid : undefined,
  };
}

/** The busy holder's record from an acquire or inspect row, in either storage. */
function holderOf(row: Record<string, unknown>, name: string): HolderRecord | undefined {
  if ('holder_app' in row) return recordFromApplicationName(row.holder_app, name);
  const { record, backendPid } = parseRow(row.row);
  // The record is the holder's only when it names the session that holds the key right now.
  return record && backendPid !== undefined && backendPid === row.holder_pid ? record : undefined;
}

/**
 * A lock held as a PostgreSQL session advisory lock (`pg_try_advisory_lock`, 64-bit key from the
 * name) on a dedicated connection, with the holder's record in a small table. The server frees the lock
 * the moment the holder's connection ends, so a crashed holder frees it without any timer.
 *
 * @example
 * import pg from 'pg';
 * import { acquireInstanceLock } from '@pm/lock';
 * import { postgresBackend } from '@pm/lock/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const lock = await acquireInstanceLock({ name: 'migrations', backend: postgresBackend({ pool }) });
 */
export function postgresBackend(options: PostgresBackendOptions): PostgresLockBackend {
  const resolved = resolvePostgresOptions(options);
  const { source, table, recordIn, createTable, checkInterval } = resolved;
  const sql = statements(table, recordIn);
  const readRecord = readRecordSql(table);
  const userClient = 'client' in source ? source.client : undefined;
  const server = describeServer(
    'pool' in source ? source.pool.options : 'client' in source ? source.client : { connectionString: source.connectionString },
  );
  // One waiting connection per acquisition, kept across its attempts (it may sit in the server's lock queue).
  const probes = new WeakMap<BackendRequest['acquisition'], Probe>();
  let tableReady = false;

  const locationOf = (name: string, key: LockKey) => `${server} advisory lock ${key.key} ("${name}")`;
  // A SHA-256 per attempt is a measurable share of a local round trip; an app uses a handful of names.
  const keys = new Map<string, LockKey>();
  const keyOf = (name: string): LockKey => {
    let key = keys.get(name);
    if (!key) keys.set(name, (key = lockKeyOf(name)));
    return key;
  };

  const failure = (name: string, what: string, cause: unknown) => {
    const code = sqlState(cause);
    const hint =
      code === SqlState.invalidStatementName || code === SqlState.duplicatePreparedStatement
        ? ' Statements of one connection ran on different server sessions: a transaction-mode pooler (PgBouncer pool_mode = transaction) is in between. Connect the lock to PostgreSQL directly, or through a session-mode pool.'
        : code === SqlState.insufficientPrivilege
          ? ` Grant this role the right to create and write the table "${table}", or create it once yourself (see docs/backends.md) and pass createTable: false.`
          : code === SqlState.undefinedTable
            ? ` The table "${table}" does not exist: create it (see docs/backends.md) or leave createTable on.`
            : ' Check that PostgreSQL is running and reachable.';
    return new LockBackendUnavailableError(
      `PostgreSQL could not ${what} for lock "${name}" (${server}): ${(cause as Error)?.message ?? String(cause)}.${hint}`,
      { cause },
    );
  };

  async function ensureTable(connection: LockConnection): Promise<void> {
    try {
      await connection.query(sql.createTable);
    } catch (error) {
      // Two first-time users may create it at the same instant; IF NOT EXISTS checks before it creates,
      // so the loser fails with one of these three, depending on which catalog row collided. All mean it exists.
      const lostTheRace: unknown[] = [SqlState.duplicateTable, SqlState.duplicateObject, SqlState.uniqueViolation];
      if (!lostTheRace.includes(sqlState(error))) throw error;
    }
    tableReady = true;
  }

  /** Runs the acquire statement, creating the table first when it is missing (and allowed). */
  async function attempt(connection: LockConnection, text: Prepared, values: unknown[]): Promise<Record<string, unknown>> {
    try {
      return (await connection.query(text, values)).rows[0] ?? {};
    } catch (error) {
      // A missing table fails the statement before it runs, so no lock was taken: create, then retry.
      if (sqlState(error) !== SqlState.undefinedTable || recordIn !== 'table' || !createTable || tableReady) throw error;
      await ensureTable(connection);
      return (await connection.query(text, values)).rows[0] ?? {};
    }
  }

  /**
   * The server session a connection's statements run on, as far as it can be trusted. A direct
   * connection announces its backend pid at connect time (free to check). A proxy announces its own
   * id, so ask a few times: PgBouncer in transaction mode (or Supavisor's port 6543) hands
   * each statement to any server session, which would strand a session lock: refuse it.
   */
  async function sessionPid(probe: Probe, observed?: unknown): Promise<number> {
    if (probe.sessionPid !== undefined && observed === undefined) return probe.sessionPid;
    const announced = probe.connection.client.processID;
    if (observed === undefined && typeof announced === 'number') return (probe.sessionPid = announced);
    const pids = new Set<unknown>(observed === undefined ? [] : [observed]);
    for (let i = 0; i < 3; i++) pids.add((await probe.connection.query('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
    if (pids.size === 1) return (probe.sessionPid = [...pids][0] as number);
    throw unstableSession([...pids]);
  }

  function unstableSession(pids: unknown[]): LockBackendUnavailableError {
    return new LockBackendUnavailableError(
      `The connection to ${server} is not a stable session: consecutive statements ran on backends ${pids.join(', ')}. ` +
        'A transaction-mode pooler (PgBouncer pool_mode = transaction, Supavisor port 6543) is in between, and a session advisory lock would be stranded there. ' +
        'Connect the lock to PostgreSQL directly, or through a session-mode pool. (Nothing was locked.)',
    );
  }

  async function tryAcquire(request: BackendRequest): Promise<TryAcquireResult> {
    const key = keyOf(request.name);
    const location = locationOf(request.name, key);
    if (userClient) {
      const mine = heldOnUserClients.get(userClient)?.get(key.key);
      if (mine) return { acquired: false, holder: mine, location };
    }
    let probe = probes.get(request.acquisition);
    if (!probe || probe.disposed) {
      probe = { connection: await openConnection(resolved, request.name, server), holds: false, waiting: undefined, disposed: false };
      probes.set(request.acquisition, probe);
    }
    const { connection } = probe;
    let row: Record<string, unknown>;
    try {
      const stored = recordIn === 'table' ? JSON.stringify(request.record) : applicationNameOf(request.record);
      const values = (pid: number) => [key.classid, key.objid, key.key, request.name, stored, pid];
      row = await attempt(connection, probe.holds ? sql.record : sql.acquire, values(await sessionPid(probe)));
      if (row.locked === null) {
        // Not the session we expected (a proxy): find the real one, and refuse when there is none.
        const expected = await sessionPid(probe, row.pid);
        row = await attempt(connection, probe.holds ? sql.record : sql.acquire, values(expected));
        if (row.locked === null) throw unstableSession([expected, row.pid]);
      }
    } catch (error) {
      probes.delete(request.acquisition);
      connection.close(true); // the statement may have taken the lock before failing: end the session
      throw error instanceof LockBackendUnavailableError ? error : failure(request.name, 'take the lock', error);
    }
    if (row.locked === true) {
      probes.delete(request.acquisition);
      if (userClient) {
        const held = heldOnUserClients.get(userClient) ?? new Map<string, HolderRecord>();
        held.set(key.key, request.record);
        heldOnUserClients.set(userClient, held);
      }
      const handle = new PostgresSessionHandle({
        connection,
        key,
        sql,
        checkInterval,
        releaseValues: [key.key, request.name, request.record.instanceId, row.previous ?? ''],
        location,
        logger: request.logger,
        onEnd: () => {
          if (userClient) heldOnUserClients.get(userClient)?.delete(key.key);
        },
      });
      return { acquired: true, handle };
    }
    const holder = holderOf(row, request.name);
    const current = probe;
    return {
      acquired: false,
      holder,
      location,
      waitForChange: (ms) => waitInQueue(current, key, ms),
      dispose: () => dispose(request, current, key),
    };
  }

  /** Waits in the server's lock queue; on success the probe's session holds the key for the next attempt. */
  function waitInQueue(probe: Probe, key: LockKey, ms: number): Promise<void> {
    const { client } = probe.connection;
    // lock_timeout ends the wait on the server; the extra timeout covers a server that stopped answering.
    const waiting = withTimeout(client.query(blockingLockSql(key.key, ms)), ms + resolved.queryTimeout, () => new Error('no answer'))
      .then(
        () => {
          probe.holds = true;
        },
        async (error: unknown) => {
          if (sqlState(error) === SqlState.lockNotAvailable) {
            await client.query('ROLLBACK').catch(() => undefined);
            return;
          }
          // Not a timeout: the connection is in doubt. The next attempt opens a fresh one, and reports.
          probe.disposed = true;
          probe.connection.close(true);
        },
      )
      .then(async () => {
        probe.waiting = undefined;
        if (probe.disposed && probe.holds) await unlockUserProbe(probe, key);
      });
    probe.waiting = waiting;
    return waiting;
  }

  async function unlockUserProbe(probe: Probe, key: LockKey): Promise<void> {
    probe.holds = false;
    await probe.connection.client.query('SELECT pg_advisory_unlock($1::bigint)', [key.key]).catch(() => undefined);
  }

  function dispose(request: BackendRequest, probe: Probe, key: LockKey): void {
    if (probes.get(request.acquisition) === probe) probes.delete(request.acquisition);
    if (probe.disposed) return;
    probe.disposed = true;
    if (probe.connection.origin !== 'user') {
      // Mid-wait or holding the key from a wait: closing the session is what frees it on the server.
      probe.connection.close(probe.holds || probe.waiting !== undefined);
      return;
    }
    // The user's client cannot be closed: undo a won wait once it settles.
    if (probe.holds) void unlockUserProbe(probe, key);
  }

  async function inspect(request: InspectRequest): Promise<InspectResult> {
    const key = keyOf(request.name);
    const location = locationOf(request.name, key);
    const connection = await openConnection(resolved, request.name, server);
    try {
      const found = (await connection.query(sql.inspect, [key.classid, key.objid, request.name])).rows[0] ?? {};
      if (recordIn === 'application_name') {
        const holder = typeof found.holder_pid === 'number' ? recordFromApplicationName(found.holder_app, request.name) : undefined;
        if (typeof found.holder_pid !== 'number') return { state: 'free', location };
        return holder ? { state: 'held', holder, location } : { state: 'held', location };
      }
      let row: unknown;
      try {
        row = (await connection.query(readRecord, [request.name])).rows[0]?.row;
      } catch (error) {
        if (sqlState(error) !== SqlState.undefinedTable) throw error; // no table yet: no records
      }
      if (typeof found.holder_pid === 'number') {
        const holder = holderOf({ row, holder_pid: found.holder_pid }, request.name);
        return holder ? { state: 'held', holder, location } : { state: 'held', location };
      }
      // Nobody holds the key, yet a record is left: its holder ended without releasing (crash, kill).
      const { record } = parseRow(row);
      return record ? { state: 'stale', holder: record, location } : { state: 'free', location };
    } catch (error) {
      throw failure(request.name, 'read the lock', error);
    } finally {
      connection.close(false);
    }
  }

  return { kind: 'postgres', tryAcquire, inspect };
}
