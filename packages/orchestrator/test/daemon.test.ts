import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort, httpRequest, sleep, waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { makeProject, pm, pmStart, projectPids } from './cli-helpers.js';
import { alive, fixture } from './helpers.js';

const stack = (extra: Record<string, unknown> = {}) => ({
  apps: [
    { name: 'db', script: fixture('http-server.mjs'), port: 'auto', ready: { http: 'http://localhost:${PORT}/health' } },
    { name: 'api', script: fixture('grandchild.mjs'), dependsOn: ['db'], ready: { log: 'grandchildren' }, stop: { timeout: 1000 } },
  ],
  dashboard: false,
  ...extra,
});

function grandchildren(dir: string): number[] {
  const line = readFileSync(join(dir, '.pm', 'logs', 'api.log'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('grandchildren'))!;
  return line.split(' ').slice(1).map(Number);
}

interface StatusRow {
  name: string;
  status: string;
  pid: number | null;
  restarts: number;
  uptime: number;
  cpu: number | null;
  memory: number | null;
  port: number | null;
}

async function statusJson(dir: string): Promise<StatusRow[]> {
  const result = await pm(['status', '--json'], { cwd: dir });
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as StatusRow[];
}

describe('pm start / status / stop with the daemon', () => {
  it('starts the stack in the background, reports status, and stop leaves nothing (daemon included)', async () => {
    const { dir } = makeProject(stack());
    const started = await pm(['start'], { cwd: dir });
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^name\s+status\s+pid\s+restarts\s+uptime\s+cpu\s+memory\s+port/);
    expect(started.stdout).toMatch(/db\s+running/);
    expect(started.stdout).toMatch(/api\s+running/);

    const status = await statusJson(dir);
    expect(status.map((s) => Object.keys(s).sort())).toEqual([
      ['cpu', 'memory', 'name', 'pid', 'port', 'restarts', 'status', 'uptime'],
      ['cpu', 'memory', 'name', 'pid', 'port', 'restarts', 'status', 'uptime'],
    ]);
    expect(status.map((s) => s.status)).toEqual(['running', 'running']);
    expect(status[0]!.port).toBeGreaterThan(0);
    expect(status[0]!.memory).toBeGreaterThan(1_000_000);

    // Only this user can open the socket; the state and control files are private.
    expect(statSync(join(dir, '.pm', 'daemon.sock')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, '.pm', 'state.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, '.pm')).mode & 0o777).toBe(0o700);

    const { daemon } = projectPids(dir);
    const pids = [...status.map((s) => s.pid!), ...grandchildren(dir)];
    expect(pids.every(alive)).toBe(true);
    const stopped = await pm(['stop', 'all'], { cwd: dir });
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/api\s+stopped/);
    expect(pids.filter(alive)).toEqual([]);
    // Nothing left to supervise: the daemon exits by itself.
    await waitFor(() => !alive(daemon!), { timeout: 10_000, message: 'daemon exit' });
  });

  it('replaces the control file atomically with mode 0600, even over a world-readable one a crashed daemon left', async () => {
    const { dir } = makeProject({ apps: [{ name: 'svc', script: fixture('sleeper.mjs') }], dashboard: { port: 0 } });
    const control = join(dir, '.pm', 'control.json');
    mkdirSync(join(dir, '.pm'), { mode: 0o700 });
    writeFileSync(control, JSON.stringify({ pid: 1, port: 1, token: 'stale' }), { mode: 0o644 });
    expect(statSync(control).mode & 0o777).toBe(0o644);

    await pmStart(dir);
    expect(statSync(control).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, '.pm')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const written = JSON.parse(readFileSync(control, 'utf8')) as { pid: number; port: number; token: string };
    expect(written.pid).toBe(projectPids(dir).daemon);
    // What the file holds is the live token and port.
    const status = await httpRequest(`http://127.0.0.1:${written.port}/api/status`, {
      headers: { authorization: `Bearer ${written.token}` },
    });
    expect(status.status).toBe(200);
  });

  it('exits 1 when an app fails to start, naming it', async () => {
    const { dir } = makeProject({
      apps: [
        { name: 'ok', script: fixture('sleeper.mjs') },
        { name: 'bad', script: fixture('crash.mjs'), ready: { log: 'never' }, restart: { policy: 'never' } },
      ],
      dashboard: false,
    });
    const result = await pm(['start'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PM_START_FAILED');
    expect(result.stderr).toContain('"bad" failed to start');
    expect(result.stdout).toMatch(/bad\s+errored/);
  });

  it('refuses a busy fixed port with PM_PORT_IN_USE', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const { dir } = makeProject({ apps: [{ name: 'web', script: fixture('http-server.mjs'), port }], dashboard: false });
      const result = await pm(['start'], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('PM_PORT_IN_USE');
      expect(result.stderr).toContain(`Port ${port}`);
      expect(result.stderr).toContain(`PID ${process.pid}`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('restart restarts an app and counts it', async () => {
    const { dir } = makeProject(stack());
    await pmStart(dir);
    const before = await statusJson(dir);
    const result = await pm(['restart', 'api'], { cwd: dir });
    expect(result.code).toBe(0);
    const after = await statusJson(dir);
    expect(after[1]!.restarts).toBe(1);
    expect(after[1]!.pid).not.toBe(before[1]!.pid);
    expect(after[0]!.pid).toBe(before[0]!.pid);
  });

  it('an app the restart policy gave up on stays errored after the daemon exits (state file and pm status)', async () => {
    const { dir } = makeProject({
      apps: [
        {
          name: 'bad',
          script: fixture('crash.mjs'),
          env: { CRASH_AFTER: '200' },
          restart: { maxRestarts: 1, backoff: { initial: 50, max: 50 } },
        },
      ],
      dashboard: false,
    });
    await pmStart(dir);
    const { daemon } = projectPids(dir);
    // Nothing left to supervise once it gave up: the daemon exits by itself.
    await waitFor(() => !alive(daemon!), { timeout: 15_000, message: 'daemon exit' });
    const state = JSON.parse(readFileSync(join(dir, '.pm', 'state.json'), 'utf8')) as { apps: { name: string; status: string }[] };
    expect(state.apps.map((a) => [a.name, a.status])).toEqual([['bad', 'errored']]);
    expect((await statusJson(dir)).map((s) => [s.name, s.status])).toEqual([['bad', 'errored']]);
  });

  it('a crashed app comes back under the daemon', async () => {
    const { dir } = makeProject({ apps: [{ name: 'svc', script: fixture('sleeper.mjs'), restart: { minUptime: 100 } }], dashboard: false });
    await pmStart(dir);
    const [before] = await statusJson(dir);
    await sleep(200);
    process.kill(before!.pid!, 'SIGKILL');
    const after = await waitFor(
      async () => {
        const [s] = await statusJson(dir);
        return s?.status === 'running' && s.pid !== null && s.pid !== before!.pid ? s : null;
      },
      { timeout: 10_000 },
    );
    expect(after.restarts).toBe(1);
  });
});

describe('daemon crash', () => {
  it('after kill -9 of the daemon, `pm stop all` still leaves nothing behind', async () => {
    const { dir } = makeProject(stack());
    await pmStart(dir);
    const status = await statusJson(dir);
    const pids = [...status.map((s) => s.pid!), ...grandchildren(dir)];
    const { daemon } = projectPids(dir);
    process.kill(daemon!, 'SIGKILL');
    await waitFor(() => !alive(daemon!));
    await sleep(200);
    // The apps survive the daemon (their output goes to files, not to pipes it held).
    expect(pids.every(alive)).toBe(true);
    const fallback = await statusJson(dir);
    expect(fallback.map((s) => s.status)).toEqual(['running', 'running']);
    const stopped = await pm(['stop', 'all'], { cwd: dir });
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain('stopped 2 process trees');
    expect(pids.filter(alive)).toEqual([]);
  });

  it('a new daemon adopts the apps the killed one left, and supervises them', async () => {
    const { dir } = makeProject(stack());
    await pmStart(dir);
    const before = await statusJson(dir);
    process.kill(projectPids(dir).daemon!, 'SIGKILL');
    await sleep(200);
    const again = await pm(['start'], { cwd: dir });
    expect(again.code).toBe(0);
    const adopted = await statusJson(dir);
    expect(adopted.map((s) => s.pid)).toEqual(before.map((s) => s.pid));
    expect(adopted.map((s) => s.status)).toEqual(['running', 'running']);
    expect(readFileSync(join(dir, '.pm', 'daemon.log'), 'utf8')).toContain('adopted');
    // An adopted app that dies is restarted like any other.
    process.kill(before[0]!.pid!, 'SIGKILL');
    const back = await waitFor(
      async () => {
        const [s] = await statusJson(dir);
        return s?.status === 'running' && s.pid !== null && s.pid !== before[0]!.pid ? s : null;
      },
      { timeout: 10_000 },
    );
    expect(back.port).toBe(before[0]!.port);
  });

  it("the daemon log names an app's pid as appPid, never as its own pid", async () => {
    const { dir } = makeProject({ apps: [{ name: 'api', script: fixture('health-app.mjs') }], dashboard: false });
    await pmStart(dir);
    const daemonPid = projectPids(dir).daemon!;
    const [api] = await statusJson(dir);
    expect((await pm(['stop', 'api'], { cwd: dir })).code).toBe(0);
    const line = readFileSync(join(dir, '.pm', 'daemon.log'), 'utf8')
      .split('\n')
      .find((l) => l.includes('reported by @pm/health'));
    expect(line, 'the app reported shutting_down').toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ pid: daemonPid, appPid: api!.pid, app: 'api', state: 'shutting_down' });
    await pm(['stop', 'all'], { cwd: dir });
  });

  it('a corrupt state file is reported and recovered from the previous copy', async () => {
    const { dir } = makeProject({ apps: [{ name: 'svc', script: fixture('sleeper.mjs') }], dashboard: false });
    await pmStart(dir);
    const [before] = await statusJson(dir);
    process.kill(projectPids(dir).daemon!, 'SIGKILL');
    await sleep(100);
    const state = join(dir, '.pm', 'state.json');
    writeFileSync(`${state}.prev`, readFileSync(state));
    writeFileSync(state, '{"version":1,"apps":[{"na');
    await pmStart(dir);
    const log = readFileSync(join(dir, '.pm', 'daemon.log'), 'utf8');
    expect(log).toContain('PM_STATE_CORRUPT');
    expect(log).toContain('recovered from its previous copy');
    const [after] = await statusJson(dir);
    expect(after?.pid).toBe(before!.pid); // adopted from the recovered copy, not started twice
  });
});
