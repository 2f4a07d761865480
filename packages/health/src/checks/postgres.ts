import { assertNoProblems, commonProblems, definition, since, type BuiltInCheckOptions } from './define.js';
import { withDetails } from './details.js';
import type { CheckDefinition } from '../health/options.js';

/** What `postgresCheck` needs from a `pg` Client or Pool (typed structurally: no `pg` types are required). */
export interface PostgresQueryable {
  query(text: string): Promise<unknown>;
}

/** A `pg` Pool: `connect()` lends a client, the counts describe the pool. */
interface PostgresPool extends PostgresQueryable {
  connect(): Promise<{ query(text: string): Promise<unknown>; release(destroy?: boolean | Error): void }>;
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** Options of `postgresCheck`. */
export interface PostgresCheckOptions extends BuiltInCheckOptions {
  /** The statement run. @default 'SELECT 1' */
  query?: string;
}

const isPool = (value: PostgresQueryable): value is PostgresPool =>
  typeof (value as Partial<PostgresPool>).connect === 'function' && typeof (value as Partial<PostgresPool>).totalCount === 'number';

/**
 * Checks PostgreSQL with `SELECT 1` on a `pg` Pool or Client you already have (the driver is yours:
 * nothing is imported). Reports `latencyMs`, and for a Pool `total`, `idle` and `waiting` clients.
 * With a Pool, a query still running at the timeout has its client destroyed, so a hung server costs
 * one connection, not one per probe; a Client's stuck query cannot be cancelled without closing your
 * connection, so it is left to settle (the check reports a timeout meanwhile).
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) when `poolOrClient` has no `query()` or an option is wrong
 */
export function postgresCheck(poolOrClient: PostgresQueryable, options: PostgresCheckOptions = {}): CheckDefinition {
  const problems = commonProblems(options, ['query']);
  if (typeof (poolOrClient as Partial<PostgresQueryable> | undefined)?.query !== 'function') {
    problems.unshift('poolOrClient must be a pg Pool or Client (an object with query())');
  }
  if (options.query !== undefined && (typeof options.query !== 'string' || options.query.trim() === '')) {
    problems.push(`query must be a non-empty SQL string (got ${JSON.stringify(options.query)})`);
  }
  assertNoProblems('postgresCheck', problems);
  const sql = options.query ?? 'SELECT 1';
  const poolStats = (): Record<string, number> =>
    isPool(poolOrClient) ? { total: poolOrClient.totalCount, idle: poolOrClient.idleCount, waiting: poolOrClient.waitingCount } : {};

  const check = async (signal: AbortSignal) => {
    const start = performance.now();
    try {
      if (isPool(poolOrClient)) await queryOnPool(poolOrClient, sql, signal);
      else await poolOrClient.query(sql);
    } catch (error) {
      throw withDetails(error instanceof Error ? error : new Error(String(error)), { latencyMs: since(start), ...poolStats() });
    }
    return withDetails({}, { latencyMs: since(start), ...poolStats() });
  };
  return definition(options, check);
}

/** Borrows a client so that a query outliving the timeout can be ended by destroying that client. */
async function queryOnPool(pool: PostgresPool, sql: string, signal: AbortSignal): Promise<void> {
  const client = await pool.connect();
  if (signal.aborted) {
    client.release(true); // connected after the timeout: this client may be the slow one, don't reuse it
    return;
  }
  const onAbort = () => client.release(new Error('health check timed out'));
  signal.addEventListener('abort', onAbort, { once: true });
  let failure: Error | undefined;
  try {
    await client.query(sql);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    // A client whose query failed is destroyed (pg's rule for a broken connection); released once only.
    if (!signal.aborted) client.release(failure ?? false);
  }
}
