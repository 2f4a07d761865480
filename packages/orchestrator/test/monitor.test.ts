import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpRequest, makeTempDir, readmeTable, waitFor } from '@pm/test-utils';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import type { AppHistoryView } from '../src/monitor/app-history.js';
import { makeProject, pmStart } from './cli-helpers.js';
import { fixture } from './helpers.js';

/** The daemon's control port and token, from the file it writes. */
function control(dir: string): { base: string; auth: Record<string, string> } {
  const { port, token } = JSON.parse(readFileSync(join(dir, '.pm', 'control.json'), 'utf8')) as { port: number; token: string };
  return { base: `http://127.0.0.1:${port}`, auth: { authorization: `Bearer ${token}` } };
}

async function history(dir: string, name: string): Promise<AppHistoryView> {
  const { base, auth } = control(dir);
  const res = await httpRequest(`${base}/api/apps/${name}/history`, { headers: auth });
  expect(res.status, res.body).toBe(200);
  return res.json as AppHistoryView;
}

/** The metrics as parsed by a Prometheus text-format parser: family name → samples. */
async function scrape(url: string, headers: Record<string, string> = {}) {
  const res = await httpRequest(url, { headers });
  expect(res.status, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return new Map(parsePrometheusTextFormat(res.body).map((family) => [family.name, family]));
}

describe('daemon history and metrics (a real daemon)', () => {
  it('keeps per-app usage, restarts with their reasons and health announcements, behind the token', async () => {
    const sickFile = join(makeTempDir(), 'sick');
    const { dir } = makeProject({
      dashboard: { port: 0 },
      apps: [
        { name: 'steady', script: fixture('sleeper.mjs') },
        {
          name: 'crashy',
          script: fixture('crash.mjs'),
          env: { EXIT_CODE: '3', CRASH_AFTER: '1500' },
          restart: { backoff: { initial: 5000 } },
        },
        { name: 'hog', script: fixture('hog.mjs'), env: { HOG_MB: '150', HOG_AFTER: '1200' }, maxMemory: '100M' },
        { name: 'announcer', script: fixture('health-app.mjs'), env: { READY_AFTER: '100' }, ready: 'ipc' },
        {
          name: 'sick',
          script: fixture('http-server.mjs'),
          port: 'auto',
          env: { SICK_FILE: sickFile },
          health: { http: 'http://127.0.0.1:${PORT}/health', interval: 100, failures: 2 },
        },
      ],
    });
    await pmStart(dir);
    const { base, auth } = control(dir);
    expect((await httpRequest(`${base}/api/apps/steady/history`)).status).toBe(401);
    expect((await httpRequest(`${base}/api/apps/nope/history`, { headers: auth })).json).toMatchObject({
      ok: false,
      error: { code: 'PM_APP_NOT_FOUND' },
    });

    await waitFor(async () => (await history(dir, 'steady')).seconds.length >= 3, { timeout: 10_000, message: '3 samples of steady' });
    const steady = await history(dir, 'steady');
    expect(steady.status).toBe('running');
    for (const point of steady.seconds) expect(point.memory).toBeGreaterThan(5 * 1024 * 1024);
    // One point a second: samples are neither doubled nor stacked.
    const gaps = steady.seconds.slice(1).map((p, i) => p.t - steady.seconds[i]!.t);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1000);
    expect(steady.minutes.at(-1)!.memoryMax).toBeGreaterThan(0);

    await waitFor(async () => (await history(dir, 'crashy')).restarts.length > 0, { timeout: 10_000, message: 'crashy restart' });
    expect((await history(dir, 'crashy')).restarts[0]).toMatchObject({
      kind: 'crash',
      code: 3,
      signal: null,
      reason: 'exited with code 3',
    });

    await waitFor(async () => (await history(dir, 'hog')).restarts.length > 0, { timeout: 10_000, message: 'hog restart' });
    expect((await history(dir, 'hog')).restarts[0]).toMatchObject({ kind: 'memory' });

    writeFileSync(sickFile, '');
    await waitFor(async () => (await history(dir, 'sick')).restarts.length > 0, { timeout: 10_000, message: 'sick restart' });
    expect((await history(dir, 'sick')).restarts[0]).toMatchObject({ kind: 'health', reason: 'health probe failed 2 times in a row' });
    rmSync(sickFile);

    const restarted = await httpRequest(`${base}/api/apps/steady/restart`, { method: 'POST', headers: auth });
    expect(restarted.status).toBe(200);
    expect((await history(dir, 'steady')).restarts.map((r) => r.kind)).toEqual(['manual']);

    const announcer = await history(dir, 'announcer');
    expect(announcer.health.map((h) => h.state)).toEqual(['initializing', 'healthy']);

    // `since` narrows the points; a bad one is refused with the fix.
    const all = (await history(dir, 'steady')).seconds;
    const since = all[Math.floor(all.length / 2)]!.t;
    const recent = await httpRequest(`${base}/api/apps/steady/history?since=${since}`, { headers: auth });
    expect(recent.status).toBe(200);
    const points = (recent.json as AppHistoryView).seconds;
    expect(points.length).toBeGreaterThanOrEqual(all.length - Math.floor(all.length / 2));
    expect(points[0]!.t).toBe(since); // the older half is left out
    for (const point of points) expect(point.t).toBeGreaterThanOrEqual(since);
    const bad = await httpRequest(`${base}/api/apps/steady/history?since=yesterday`, { headers: auth });
    expect(bad.status).toBe(400);
  }, 60_000);

  it('serves GET /metrics in the Prometheus text format behind the token', async () => {
    const { dir } = makeProject({
      dashboard: { port: 0 },
      apps: [
        { name: 'api', script: fixture('sleeper.mjs') },
        {
          name: 'crashy',
          script: fixture('crash.mjs'),
          env: { EXIT_CODE: '7', CRASH_AFTER: '1200' },
          // A short run: the restart waits in backoff, where the metrics see it.
          restart: { minUptime: 10_000, backoff: { initial: 60_000, max: 60_000 } },
        },
      ],
    });
    await pmStart(dir);
    const { base, auth } = control(dir);
    expect((await httpRequest(`${base}/metrics`)).status).toBe(401);
    await waitFor(async () => (await history(dir, 'crashy')).restarts.length > 0, { timeout: 10_000, message: 'crashy restart' });
    await waitFor(async () => (await history(dir, 'api')).seconds.length >= 2, { timeout: 10_000, message: 'api samples' });

    const metrics = await scrape(`${base}/metrics`, auth);
    const value = (name: string, labels: Record<string, string>): number => {
      const family = metrics.get(name);
      expect(family, name).toBeDefined();
      const sample = family!.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
      expect(sample, `${name}${JSON.stringify(labels)}`).toBeDefined();
      return Number(sample!.value);
    };
    expect(metrics.get('pm_app_up')!.type).toBe('GAUGE');
    expect(value('pm_app_up', { app: 'api' })).toBe(1);
    expect(value('pm_app_up', { app: 'crashy' })).toBe(0);
    expect(value('pm_app_status', { app: 'crashy', status: 'backoff' })).toBe(1);
    expect(value('pm_app_status', { app: 'crashy', status: 'running' })).toBe(0);
    expect(metrics.get('pm_app_restarts_total')!.type).toBe('COUNTER');
    expect(value('pm_app_restarts_total', { app: 'crashy' })).toBe(1);
    expect(value('pm_app_restarts_total', { app: 'api' })).toBe(0);
    expect(value('pm_app_last_exit_code', { app: 'crashy' })).toBe(7);
    expect(value('pm_app_resident_memory_bytes', { app: 'api' })).toBeGreaterThan(5 * 1024 * 1024);
    expect(value('pm_app_cpu_seconds_total', { app: 'api' })).toBeGreaterThan(0);
    expect(value('pm_app_uptime_seconds', { app: 'api' })).toBeGreaterThanOrEqual(1);
    // The README's table names every per-app family served, with its type.
    const documented = readmeTable(readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8'), 'metrics-table');
    const served = [...metrics.values()].filter((f) => f.name.startsWith('pm_app_'));
    expect(new Map(served.map((f) => [f.name, f.type.toLowerCase()]))).toEqual(
      new Map([...documented].filter(([n]) => n !== 'pm_daemon_*')),
    );
    // The daemon's own process metrics.
    expect(value('pm_daemon_process_resident_memory_bytes', {})).toBeGreaterThan(10 * 1024 * 1024);
    expect(value('pm_daemon_process_cpu_seconds_total', {})).toBeGreaterThan(0);
  }, 60_000);

  it('lets a local scraper read /metrics without the token when dashboard.metrics.token is false', async () => {
    const { dir } = makeProject({
      dashboard: { port: 0, metrics: { token: false } },
      apps: [{ name: 'api', script: fixture('sleeper.mjs') }],
    });
    await pmStart(dir);
    const { base } = control(dir);
    await waitFor(async () => (await history(dir, 'api')).seconds.length >= 1, { timeout: 10_000, message: 'api samples' });
    const metrics = await scrape(`${base}/metrics`);
    expect(metrics.get('pm_app_up')!.metrics).toEqual([{ value: '1', labels: { app: 'api' } }]);
    // Only /metrics: the rest of the API still needs the token.
    expect((await httpRequest(`${base}/api/status`)).status).toBe(401);
  }, 60_000);
});
