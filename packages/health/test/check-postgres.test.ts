import { httpRequest } from '@pm/test-utils';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthErrorCodes, postgresCheck, type HealthReport } from '../src/index.js';
import { closedPort, hungServer, serveHealth, serviceAvailable, services, timed } from './services.js';

const up = await serviceAvailable('postgres');
const config = (over: Partial<pg.PoolConfig> = {}): pg.PoolConfig => ({ ...services.postgres, ...over });

describe.skipIf(!up)('postgresCheck against a real PostgreSQL', () => {
  let pool: pg.Pool;
  let admin: pg.Client;

  beforeAll(async () => {
    pool = new pg.Pool({ ...config(), max: 3 });
    pool.on('error', () => undefined); // clients the tests kill
    admin = new pg.Client(config());
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await pool?.end();
  });

  it('healthy pool: passes with latency and the pool counts in the report', async () => {
    const served = await serveHealth({ checks: { db: postgresCheck(pool, { cacheMs: 0 }) } });
    try {
      const res = await httpRequest(`${served.url}/health`);
      expect(res.status).toBe(200);
      const db = (res.json as HealthReport).checks.db!;
      expect(db).toMatchObject({ status: 'pass', critical: true });
      expect(db.details).toMatchObject({ total: expect.any(Number), idle: expect.any(Number), waiting: 0 });
      expect(db.details!.latencyMs).toBeGreaterThan(0);
      expect(db.details!.total).toBeGreaterThanOrEqual(1);
      // Readiness runs it too (built-in checks are critical and in readiness by default); liveness never.
      expect((await httpRequest(`${served.url}/readyz`)).status).toBe(200);
    } finally {
      await served.close();
    }
  });

  it('healthy client: passes; a killed connection fails at once, /health stays responsive', async () => {
    const client = new pg.Client(config());
    client.on('error', () => undefined);
    await client.connect();
    const served = await serveHealth({ checks: { db: postgresCheck(client, { cacheMs: 0, timeout: 2000 }) } });
    try {
      expect((await httpRequest(`${served.url}/health`)).status).toBe(200);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      const { ms, value: res } = await timed(() => httpRequest(`${served.url}/health`));
      expect(res.status).toBe(503);
      const db = (res.json as HealthReport).checks.db!;
      expect(db.status).toBe('fail');
      expect(db.error).toMatch(/terminat|not queryable|Connection/i);
      expect(ms).toBeLessThan(2000); // failed, not timed out
      expect((await httpRequest(`${served.url}/livez`)).status).toBe(200); // a database outage never fails liveness
      expect((await httpRequest(`${served.url}/readyz`)).status).toBe(503);
    } finally {
      await served.close();
      await client.end().catch(() => undefined);
    }
  });

  it('server unreachable: fails fast with the connection error, well within its timeout', async () => {
    const down = new pg.Pool({ ...config({ port: await closedPort() }) });
    down.on('error', () => undefined);
    const served = await serveHealth({ checks: { db: postgresCheck(down, { cacheMs: 0, timeout: 3000 }) } });
    try {
      const { ms, value: res } = await timed(() => httpRequest(`${served.url}/health`));
      expect(res.status).toBe(503);
      expect((res.json as HealthReport).checks.db!.error).toMatch(/ECONNREFUSED/);
      expect(ms).toBeLessThan(1500);
    } finally {
      await served.close();
      await down.end();
    }
  });

  it('hung server (accepts, never answers): fails at the timeout, not later; /livez answers meanwhile; one connection per hang', async () => {
    const hung = await hungServer();
    const stuck = new pg.Pool({ ...config({ port: hung.port }) });
    stuck.on('error', () => undefined);
    const timeout = 400;
    const served = await serveHealth({ checks: { db: postgresCheck(stuck, { cacheMs: 0, timeout }) } });
    try {
      let healthAnswered = false;
      const pending = timed(() => httpRequest(`${served.url}/health`)).finally(() => (healthAnswered = true));
      expect((await httpRequest(`${served.url}/livez`)).status).toBe(200);
      expect(healthAnswered).toBe(false); // /livez did not wait for the hung check
      const { ms, value: res } = await pending;
      expect(res.status).toBe(503);
      const db = (res.json as HealthReport).checks.db!;
      expect(db.error).toMatch(/timed out after 400 ms/);
      expect(db.durationMs).toBeGreaterThanOrEqual(timeout - 5);
      expect(db.durationMs).toBeLessThan(timeout + 400); // at the timeout (a loaded machine fires timers late), not later
      expect(ms).toBeLessThan(timeout + 1000);
      // The next probes report the hang at once instead of opening another connection each.
      const again = await timed(() => httpRequest(`${served.url}/health`));
      expect((again.value.json as HealthReport).checks.db!.error).toMatch(/still running/);
      expect(again.ms).toBeLessThan(timeout);
      expect(stuck.totalCount).toBe(1);
    } finally {
      await served.close();
      await hung.close();
      await stuck.end().catch(() => undefined);
    }
  });

  it('a query outliving the timeout on a pool destroys its client (pg_sleep does not hold the check)', async () => {
    const slow = new pg.Pool({ ...config(), max: 2 });
    slow.on('error', () => undefined);
    const check = postgresCheck(slow, { query: 'SELECT pg_sleep(5)' });
    const controller = new AbortController();
    const run = Promise.resolve(check.check(controller.signal)).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    const { ms, value: error } = await timed(() => run);
    expect(error).toBeInstanceOf(Error);
    expect(ms).toBeLessThan(1000); // destroying the client ended the query, not pg_sleep's 5 s
    expect(slow.totalCount).toBe(0);
    await slow.end();
  });

  it('informational (critical: false): a failure shows in the report but /health stays 200 and /readyz ignores it', async () => {
    const down = new pg.Pool({ ...config({ port: await closedPort() }) });
    down.on('error', () => undefined);
    const served = await serveHealth({ checks: { db: postgresCheck(down, { critical: false }) } });
    try {
      const res = await httpRequest(`${served.url}/health`);
      expect(res.status).toBe(200);
      expect((res.json as HealthReport).checks.db).toMatchObject({ status: 'fail', critical: false });
      expect((await httpRequest(`${served.url}/readyz`)).status).toBe(200);
    } finally {
      await served.close();
      await down.end();
    }
  });

  it('rejects what is not a pg Pool or Client, and wrong options, naming each problem', () => {
    expect(() => postgresCheck({} as never, { timeout: -1, critical: false, readiness: true })).toThrow(
      expect.objectContaining({ code: HealthErrorCodes.invalidOptions }),
    );
    try {
      postgresCheck({} as never, { timeout: -1, quer: 'x' } as never);
    } catch (error) {
      expect((error as { problems: string[] }).problems).toEqual([
        'poolOrClient must be a pg Pool or Client (an object with query())',
        'quer is not an option (did you mean query?)',
        'timeout must be a finite number of milliseconds >= 1 (got -1)',
      ]);
    }
  });
});
