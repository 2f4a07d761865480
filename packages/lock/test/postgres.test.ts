import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeTempDir, sleep, spawnFixture, waitFor } from '@pm/test-utils';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireInstanceLock, InstanceAlreadyRunningError, inspectInstanceLock } from '../src/index.js';
import { lockKeyOf, postgresBackend, postgresBackendDefaults } from '../src/postgres/index.js';
import { fixture } from './helpers.js';
import { binariesAvailable, checkJournal, postgresEnv, postgresUrl, serviceAvailable, startPrivatePostgres } from './services.js';

const up = await serviceAvailable('postgres');
// Advisory keys are per database, not per table: names carry the run id so concurrent runs never meet.
const run = randomUUID().slice(0, 8);
const table = `pm_test_locks_${run}`;
const lockName = (label: string) => `${run}-${label}`;

describe.skipIf(!up)('PostgreSQL backend', () => {
  let pool: pg.Pool;
  let admin: pg.Client;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: postgresUrl(), max: 4 });
    pool.on('error', () => undefined); // clients killed by the tests
    admin = new pg.Client({ connectionString: postgresUrl() });
    await admin.connect();
  });

  afterAll(async () => {
    if (!admin) return;
    await admin.query(`DROP TABLE IF EXISTS ${table}, ${table}_custom`);
    await admin.end();
    await pool.end();
  });

  const holderFixture = (args: string[]) => spawnFixture(fixture('postgres-holder.mjs'), { args, env: postgresEnv() });
  const backendPidOf = async (name: string) =>
    (await admin.query(`SELECT backend_pid FROM ${table} WHERE name = $1`, [name])).rows[0]?.backend_pid as number;

  describe.each(['pool', 'client', 'connectionString'] as const)('given a %s', (source) => {
    let userClient: pg.Client;
    beforeAll(async () => {
      userClient = new pg.Client({ connectionString: postgresUrl() });
      userClient.on('error', () => undefined);
      await userClient.connect();
    });
    afterAll(() => userClient?.end());
    const backend = () =>
      postgresBackend({
        ...(source === 'pool' ? { pool } : source === 'client' ? { client: userClient } : { connectionString: postgresUrl() }),
        table,
      });

    it('acquires, refuses a second holder naming the first, inspects, releases (twice), and reacquires', async () => {
      const name = lockName(`basic-${source}`);
      const lock = await acquireInstanceLock({ name, backend: backend(), port: 3000, releaseOnExit: false });
      expect(lock.backend).toBe('postgres');
      expect(lock.location).toContain(`advisory lock ${lockKeyOf(name).key}`);
      const { rows } = await admin.query(`SELECT holder, backend_pid FROM ${table} WHERE name = $1`, [name]);
      expect(rows[0].holder).toMatchObject({ pid: process.pid, instanceId: lock.info.instanceId, port: 3000 });
      const locks = await admin.query(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = $2`, [
        lockKeyOf(name).classid,
        lockKeyOf(name).objid,
      ]);
      expect(locks.rows).toEqual([{ pid: rows[0].backend_pid }]);

      const refused = await acquireInstanceLock({ name, backend: backend() }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(InstanceAlreadyRunningError);
      expect(refused).toMatchObject({
        code: 'PM_INSTANCE_RUNNING',
        lock: { pid: process.pid, port: 3000, instanceId: lock.info.instanceId },
      });
      expect(await inspectInstanceLock({ name, backend: backend() })).toMatchObject({
        state: 'held',
        holder: { instanceId: lock.info.instanceId },
      });

      await lock.release();
      await lock.release();
      expect(await inspectInstanceLock({ name, backend: backend() })).toMatchObject({ state: 'free' });
      const again = await acquireInstanceLock({ name, backend: backend(), releaseOnExit: false });
      expect(again.fencingToken).toBeUndefined();
      await again.release();
    });

    it('a waiter is woken the moment the holder releases', async () => {
      const name = lockName(`handoff-${source}`);
      const holder = await acquireInstanceLock({ name, backend: postgresBackend({ pool, table }), releaseOnExit: false });
      const waiting = acquireInstanceLock({ name, backend: backend(), wait: 10_000, releaseOnExit: false });
      await sleep(300);
      const releasedAt = performance.now();
      await holder.release();
      const next = await waiting;
      expect(performance.now() - releasedAt).toBeLessThan(2000);
      await next.release();
    });
  });

  it("recordIn: 'application_name' names the holder without a table, and restores the pooled connection's name", async () => {
    const appPool = new pg.Pool({ connectionString: postgresUrl(), max: 2, application_name: 'my-app' });
    try {
      const name = lockName('app-name');
      const backend = postgresBackend({ pool: appPool, recordIn: 'application_name', table: `${table}_never_created` });
      const lock = await acquireInstanceLock({ name, backend, port: 3000, releaseOnExit: false });
      const { rows } = await admin.query(
        `SELECT application_name FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
        WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2`,
        [lockKeyOf(name).classid, lockKeyOf(name).objid],
      );
      expect(rows[0].application_name).toMatch(new RegExp(`^pm-lock ${process.pid} :3000 \\S+Z \\S`));
      const refused = await acquireInstanceLock({ name, backend: postgresBackend({ pool, recordIn: 'application_name' }) }).catch(
        (e: unknown) => e,
      );
      expect(refused).toMatchObject({
        code: 'PM_INSTANCE_RUNNING',
        lock: { pid: process.pid, port: 3000, startedAt: lock.info.startedAt.replace(/\.\d+Z$/, 'Z') },
      });
      expect(await inspectInstanceLock({ name, backend })).toMatchObject({ state: 'held', holder: { pid: process.pid, port: 3000 } });
      await lock.release();
      expect(await inspectInstanceLock({ name, backend })).toMatchObject({ state: 'free' });
      expect((await appPool.query('SHOW application_name')).rows[0].application_name).toBe('my-app');
      expect((await admin.query('SELECT to_regclass($1) AS t', [`${table}_never_created`])).rows[0].t).toBeNull();
    } finally {
      await appPool.end();
    }
  });

  it('two lock names do not interfere', async () => {
    const backend = postgresBackend({ pool, table });
    const a = await acquireInstanceLock({ name: lockName('name-a'), backend, releaseOnExit: false });
    const b = await acquireInstanceLock({ name: lockName('name-b'), backend, releaseOnExit: false });
    await a.release();
    expect(await inspectInstanceLock({ name: lockName('name-b'), backend })).toMatchObject({
      state: 'held',
      holder: { instanceId: b.info.instanceId },
    });
    await b.release();
  });

  it('one client cannot take the same lock twice (advisory locks are re-entrant per session)', async () => {
    const client = new pg.Client({ connectionString: postgresUrl() });
    await client.connect();
    try {
      const backend = postgresBackend({ client, table });
      const lock = await acquireInstanceLock({ name: lockName('reentrant'), backend, releaseOnExit: false });
      await expect(acquireInstanceLock({ name: lockName('reentrant'), backend })).rejects.toMatchObject({
        code: 'PM_INSTANCE_RUNNING',
        lock: { instanceId: lock.info.instanceId },
      });
      await lock.release();
      const again = await acquireInstanceLock({ name: lockName('reentrant'), backend, releaseOnExit: false });
      await again.release();
      const held = await client.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`);
      expect(held.rows[0].n).toBe(0); // nothing left over on the user's client
    } finally {
      await client.end();
    }
  });

  it('16 processes × 15 acquisitions with wait never overlap (journal check)', async () => {
    const dir = makeTempDir();
    const journal = join(dir, 'journal.log');
    writeFileSync(journal, '');
    const workers = Array.from({ length: 16 }, () =>
      spawnFixture(fixture('postgres-journal-worker.mjs'), {
        args: [lockName('journal'), table, journal, '15'],
        env: postgresEnv(),
      }),
    );
    const results = await Promise.all(workers.map((w) => w.exited));
    expect(
      results.map((r) => r.code),
      workers.map((w) => w.stderr.join('\n')).join('\n'),
    ).toEqual(Array(16).fill(0));
    expect(checkJournal(readFileSync(journal, 'utf8')).entries).toBe(16 * 15);
  }, 60_000);

  it('holder SIGKILLed: the server frees the lock at once; inspect says stale; a waiter and a fresh acquirer get it', async () => {
    const name = lockName('sigkill');
    const holder = holderFixture(['url', name, table]);
    await holder.waitForLine(/^acquired/);
    const waiter = holderFixture(['pool', name, table, '10000']);
    await sleep(300);
    expect(waiter.stdout).toEqual([]);
    const killedAt = performance.now();
    holder.kill('SIGKILL');
    await waiter.waitForLine(`acquired ${waiter.pid}`, 10_000);
    expect(performance.now() - killedAt).toBeLessThan(3000);
    waiter.child.stdin!.write('release\n');
    await waiter.exited;

    const second = holderFixture(['client', name, table]);
    await second.waitForLine(/^acquired/);
    second.kill('SIGKILL');
    await second.exited;
    const backend = postgresBackend({ pool, table });
    const stale = await waitFor(
      async () => {
        const result = await inspectInstanceLock({ name, backend });
        return result.state === 'stale' ? result : undefined;
      },
      { timeout: 5000, message: 'stale after SIGKILL' },
    );
    expect(stale.holder).toMatchObject({ pid: second.pid });
    const fresh = await acquireInstanceLock({ name, backend, releaseOnExit: false });
    await fresh.release();
  });

  it.each(['pool', 'client', 'url'])(
    'holder connection terminated by the server (pg_terminate_backend, %s): compromised reported at once',
    async (source) => {
      const name = lockName(`terminate-${source}`);
      const holder = holderFixture([source, name, table]);
      await holder.waitForLine(/^acquired/);
      const killedAt = performance.now();
      await admin.query('SELECT pg_terminate_backend($1)', [await backendPidOf(name)]);
      await holder.waitForLine('compromised PM_LOCK_COMPROMISED', 10_000);
      expect(performance.now() - killedAt).toBeLessThan(5000);
      // The server sends the termination notice before its backend has exited and let go of the lock.
      const next = await acquireInstanceLock({ name, backend: postgresBackend({ pool, table }), wait: 5000, releaseOnExit: false });
      await next.release();
    },
  );

  it('a session that stops holding the key (pg_advisory_unlock_all on the user client) is reported within checkInterval', async () => {
    const client = new pg.Client({ connectionString: postgresUrl() });
    await client.connect();
    try {
      const lock = await acquireInstanceLock({
        name: lockName('unlock-all'),
        backend: postgresBackend({ client, table, checkInterval: 100 }),
        releaseOnExit: false,
      });
      await client.query('SELECT pg_advisory_unlock_all()');
      await waitFor(() => lock.compromised, { timeout: 5000, message: 'compromised' });
      expect(lock.signal.reason).toMatchObject({ code: 'PM_LOCK_COMPROMISED' });
      await lock.release();
    } finally {
      await client.end();
    }
  });

  it('unreachable server, unknown role and unknown database fail with PM_LOCK_BACKEND_UNAVAILABLE within the connect timeout', async () => {
    const closedPort = await freePort();
    const cases = [
      { connectionString: postgresUrl({ port: closedPort }) },
      { connectionString: postgresUrl({ user: 'pm_no_such_role' }) },
      { connectionString: postgresUrl({ database: 'pm_no_such_db' }) },
      { pool: new pg.Pool({ connectionString: postgresUrl({ user: 'pm_no_such_role' }) }) },
    ];
    for (const options of cases) {
      const started = performance.now();
      const error = await acquireInstanceLock({
        name: lockName('down'),
        backend: postgresBackend({ ...options, table, connectTimeout: 1000 }),
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PM_LOCK_BACKEND_UNAVAILABLE' });
      expect((error as Error).cause).toBeDefined();
      expect(performance.now() - started).toBeLessThan(4000);
    }
    await (cases[3]!.pool as pg.Pool).end();
    const error = await inspectInstanceLock({
      name: lockName('down'),
      backend: postgresBackend({ connectionString: postgresUrl({ port: closedPort }), connectTimeout: 500 }),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PM_LOCK_BACKEND_UNAVAILABLE' });
  });

  it('a hung connect (a port that accepts but never answers) fails within connectTimeout', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    try {
      const started = performance.now();
      const error = await acquireInstanceLock({
        name: lockName('hung'),
        backend: postgresBackend({ connectionString: postgresUrl({ port }), connectTimeout: 500 }),
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PM_LOCK_BACKEND_UNAVAILABLE' });
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('creates a custom table on demand; with createTable: false a missing table is a clear error', async () => {
    const custom = `${table}_custom`;
    const lock = await acquireInstanceLock({
      name: lockName('custom'),
      backend: postgresBackend({ pool, table: custom }),
      releaseOnExit: false,
    });
    const { rows } = await admin.query(`SELECT relpersistence FROM pg_class WHERE relname = $1`, [custom]);
    expect(rows).toEqual([{ relpersistence: 'u' }]); // UNLOGGED: no WAL flush per acquire; emptied by a crash, like the locks
    await lock.release();
    const error = await acquireInstanceLock({
      name: lockName('missing'),
      backend: postgresBackend({ pool, table: `${table}_absent`, createTable: false }),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PM_LOCK_BACKEND_UNAVAILABLE' });
    expect((error as Error).message).toContain('createTable');
    // The failed statement took nothing: the lock is free.
    expect(await inspectInstanceLock({ name: lockName('missing'), backend: postgresBackend({ pool, table }) })).toMatchObject({
      state: 'free',
    });
  });

  it('eight first-time users creating the table at the same instant all succeed (5 rounds)', async () => {
    // Several rounds: which catalog row the losers collide on (42P07, 42710 or 23505) varies run to run.
    for (let round = 0; round < 5; round++) {
      const fresh = `${table}_race_${round}`;
      try {
        const backends = Array.from({ length: 8 }, () => postgresBackend({ connectionString: postgresUrl(), table: fresh }));
        const locks = await Promise.all(
          backends.map((backend, i) => acquireInstanceLock({ name: lockName(`create-${round}-${i}`), backend, releaseOnExit: false })),
        );
        expect((await admin.query(`SELECT count(*)::int AS n FROM ${fresh}`)).rows[0].n).toBe(8);
        await Promise.all(locks.map((lock) => lock.release()));
      } finally {
        await admin.query(`DROP TABLE IF EXISTS ${fresh}`);
      }
    }
  });

  it('validates options and lists every problem', () => {
    expect(() => postgresBackend({ pool, connectionString: 'x', table: 'bad name;', checkInterval: 0, queryTimeout: 1.5 })).toThrow(
      expect.objectContaining({
        code: 'PM_LOCK_INVALID_OPTIONS',
        problems: expect.arrayContaining([
          expect.stringMatching(/exactly one/),
          expect.stringMatching(/^table/),
          expect.stringMatching(/^queryTimeout/),
          expect.stringMatching(/^checkInterval/),
        ]),
      }),
    );
    expect(postgresBackendDefaults.table).toBe('pm_instance_locks');
  });

  describe.skipIf(!binariesAvailable('initdb', 'pg_ctl'))('server restart (a private PostgreSQL cluster)', () => {
    it('a restart mid-lock is reported compromised at once; after it, the lock can be taken again', async () => {
      const server = await startPrivatePostgres();
      const url = postgresUrl({ port: server.port, database: 'postgres' });
      try {
        const backend = postgresBackend({ connectionString: url });
        const lock = await acquireInstanceLock({ name: 'restart', backend, releaseOnExit: false });
        const restartAt = performance.now();
        await server.restart();
        await waitFor(() => lock.compromised, { timeout: 10_000, message: 'compromised after restart' });
        expect(performance.now() - restartAt).toBeLessThan(10_000);
        const next = await acquireInstanceLock({ name: 'restart', backend, wait: 3000, releaseOnExit: false });
        await next.release();
      } finally {
        await server.stop();
      }
    });
  });
});
