// @pm/lock/postgres vs bare advisory lock/unlock round trips on the same server: uncontended
// acquire+release, and how soon a waiter gets the lock after its holder is SIGKILLed.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireInstanceLock } from '@pm/lock';
import { lockKeyOf, postgresBackend } from '@pm/lock/postgres';
import pg from 'pg';
import { median, ms, quantile, report, table } from './lib/report.mjs';
import { timeInterleaved, timeTakeover } from './lib/timing.mjs';

process.env.PGHOST ??= '127.0.0.1';
process.env.PGPORT ??= '5432';
process.env.PGUSER ??= 'postgres';
process.env.PGDATABASE ??= 'test';
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const TAKEOVER_RUNS = Number(process.env.BENCH_TAKEOVER_RUNS ?? 20);
const here = new URL('.', import.meta.url).pathname;
const run = randomUUID().slice(0, 8);
const lockTable = `pm_bench_locks_${run}`;
const name = (label) => `bench-${run}-${label}`;

async function connect() {
  const client = new pg.Client();
  await client.connect();
  return client;
}

// 1. Uncontended acquire + release.
const raw = await connect();
const dedicated = await connect();
const pool = new pg.Pool({ max: 2 });
const rawKey = lockKeyOf(name('raw')).key;
const viaClient = postgresBackend({ client: dedicated, table: lockTable });
const viaAppName = postgresBackend({ client: dedicated, recordIn: 'application_name' });
const viaPool = postgresBackend({ pool, table: lockTable });
const viaUrl = postgresBackend({
  connectionString: `postgres://${process.env.PGUSER}@${process.env.PGHOST}:${process.env.PGPORT}/${process.env.PGDATABASE}`,
  table: lockTable,
});
const record = {
  name: 'alone',
  pid: process.pid,
  hostname: hostname(),
  instanceId: randomUUID(),
  startedAt: new Date().toISOString(),
  port: null,
  nodeVersion: process.version,
  processStart: null,
  bootId: null,
  metadata: {},
};
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const alone = (backend) => async () => {
  const attempt = await backend.tryAcquire({ name: name('alone'), record, logger: silent, acquisition: {} });
  attempt.handle.watch(() => {});
  await attempt.handle.release();
};
const cycle = (backend, label) => async () => (await acquireInstanceLock({ name: name(label), backend, releaseOnExit: false })).release();
const contenders = [
  [
    'raw pg_try_advisory_lock + pg_advisory_unlock (floor)',
    async () => {
      await raw.query('SELECT pg_try_advisory_lock($1::bigint)', [rawKey]);
      await raw.query('SELECT pg_advisory_unlock($1::bigint)', [rawKey]);
    },
  ],
  ['@pm/lock/postgres, client (a dedicated pg.Client)', cycle(viaClient, 'client')],
  ["@pm/lock/postgres, client, recordIn: 'application_name'", cycle(viaAppName, 'appname')],
  ['@pm/lock/postgres, pool (a pg.Pool with idle clients)', cycle(viaPool, 'pool')],
  // The backend alone, through the public LockBackend interface with a record built once: what the
  // PostgreSQL protocol costs, without the fixed cost of acquireInstanceLock.
  ["postgresBackend alone (client, recordIn: 'application_name'): tryAcquire + release", alone(viaAppName)],
  ['postgresBackend alone (client, table): tryAcquire + release', alone(viaClient)],
];
const uncontended = await timeInterleaved(contenders, ITERATIONS);
// Opening a connection per lock costs milliseconds: measured apart, with fewer cycles.
uncontended.push(
  ...(await timeInterleaved([['@pm/lock/postgres, connectionString (opens a connection per lock)', cycle(viaUrl, 'url')]], 200)),
);
const floor = median(uncontended[0][1]);
const medianOf = (label) => median(uncontended.find(([n]) => n.startsWith(label))[1]);

// 2. Takeover: a waiter is already waiting when the holder process is SIGKILLed; the server ends its
// session and frees the lock, and the waiter (queued in the server's lock queue) is granted it.
async function takeover(kind, resource, acquire) {
  const { killedAt, acquiredAt } = await timeTakeover({
    holderArgs: [join(here, 'lock-postgres-holder.mjs'), kind, resource, lockTable],
    acquire,
    settleMs: 50,
  });
  return acquiredAt - killedAt;
}
const waiter = await connect();
const takeovers = [];
const rawSamples = [];
for (let i = 0; i < TAKEOVER_RUNS; i++) {
  const key = lockKeyOf(name(`raw-takeover-${i}`)).key;
  rawSamples.push(
    await takeover('raw', key, async () => {
      await waiter.query('SELECT pg_advisory_lock($1::bigint)', [key]);
      return () => waiter.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
    }),
  );
}
takeovers.push(['raw blocking pg_advisory_lock waiter (floor)', rawSamples]);
const pmSamples = [];
for (let i = 0; i < TAKEOVER_RUNS; i++) {
  pmSamples.push(
    await takeover('pm', name(`takeover-${i}`), async () => {
      const lock = await acquireInstanceLock({ name: name(`takeover-${i}`), backend: viaPool, wait: 30_000, releaseOnExit: false });
      return () => lock.release();
    }),
  );
}
takeovers.push(['@pm/lock/postgres waiter (wait option, pool)', pmSamples]);

await raw.query(`DROP TABLE IF EXISTS ${lockTable}`);
await Promise.all([raw.end(), dedicated.end(), waiter.end(), pool.end()]);

const pmClient = medianOf('@pm/lock/postgres, client');
const pmPool = medianOf('@pm/lock/postgres, pool');
const pmAppName = medianOf('@pm/lock/postgres, client, recordIn');
report('lock-postgres', {
  title: '@pm/lock/postgres: acquire+release and takeover vs bare advisory locks',
  description:
    `One local PostgreSQL. ${ITERATIONS} uncontended acquire+release cycles each after 200 warm-up cycles and 2 s of warm-up cycling, contenders taking turns in blocks of 20 (200 cycles for connectionString, which opens a connection each time). ` +
    '@pm/lock takes the lock and writes the holder record in one prepared statement, and deletes it and unlocks in one more (with recordIn: application_name the record is the session name: no table write); the floor is a bare pg_try_advisory_lock then pg_advisory_unlock on one connection. ' +
    `Takeover: ${TAKEOVER_RUNS} runs each; a waiter waits while the holder process is SIGKILLed; time from the kill until the waiter holds the lock.`,
  tables: [
    table([
      ['uncontended acquire+release', 'median', 'p95', 'x floor'],
      ...uncontended.map(([label, s]) => [label, ms(median(s)), ms(quantile(s, 0.95)), (median(s) / floor).toFixed(2)]),
    ]),
    table([
      ['takeover after SIGKILL', 'runs', 'median', 'max'],
      ...takeovers.map(([label, s]) => [label, String(s.length), ms(median(s)), ms(Math.max(...s))]),
    ]),
  ],
  ratioLine:
    `@pm/lock/postgres acquire+release = ${(pmAppName / floor).toFixed(2)}x the bare advisory lock/unlock round trips with recordIn: 'application_name' (target ≤ 1.5x; the backend alone ${(medianOf('postgresBackend alone (client, recordIn') / floor).toFixed(2)}x), ` +
    `${(pmClient / floor).toFixed(2)}x with the default record table on a dedicated client, ${(pmPool / floor).toFixed(2)}x through a pool; ` +
    `takeover median ${ms(median(pmSamples))} vs ${ms(median(rawSamples))} for a bare blocking waiter`,
});
