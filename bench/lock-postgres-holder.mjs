// Holds a PostgreSQL advisory lock until killed, for the takeover part of lock-postgres.bench.mjs.
// argv: kind (pm | raw), lock name or key, table. Connection from the PG* variables. Prints "held".
import pg from 'pg';

const [kind, name, table] = process.argv.slice(2);
if (kind === 'pm') {
  const { acquireInstanceLock } = await import('@pm/lock');
  const { postgresBackend } = await import('@pm/lock/postgres');
  await acquireInstanceLock({ name, backend: postgresBackend({ client: await connect(), table }) });
} else {
  await (await connect()).query('SELECT pg_advisory_lock($1::bigint)', [name]);
}
console.log('held');
setInterval(() => {}, 1 << 30);

async function connect() {
  const client = new pg.Client();
  await client.connect();
  return client;
}
