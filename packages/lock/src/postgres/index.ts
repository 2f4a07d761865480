/**
 * `@pm/lock/postgres`: the instance lock as a PostgreSQL session advisory lock, with the holder's
 * record in a small table. Takes the app's own `pg` Pool or Client, or a connection string.
 *
 * @example
 * import pg from 'pg';
 * import { acquireInstanceLock } from '@pm/lock';
 * import { postgresBackend } from '@pm/lock/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const lock = await acquireInstanceLock({ name: 'migrations', backend: postgresBackend({ pool }) });
 */
export { postgresBackend, type PostgresLockBackend } from './postgres-backend.js';
export { postgresBackendDefaults, type PostgresBackendOptions } from './options.js';
export { lockKeyOf, type LockKey } from './sql.js';
export type { PgClientLike, PgPoolClientLike, PgPoolLike, PgResultLike } from './types.js';
