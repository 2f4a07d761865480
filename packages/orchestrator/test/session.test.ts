import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { makeProject, pm, pmChild, pmStart, projectPids } from './cli-helpers.js';
import { alive, fixture } from './helpers.js';

interface SavedRecord {
  name: string;
  pid: number | null;
  stop?: { signal: string; timeout: number };
  strays?: { pid: number; token: string | null }[];
}

const stateFile = (dir: string) => join(dir, '.pm', 'state.json');
const readState = (dir: string) => JSON.parse(readFileSync(stateFile(dir), 'utf8')) as { apps: SavedRecord[] };
/** The start token the orchestrator records for a pid (`proc:<start ticks>`). */
const tokenOf = (pid: number) => `proc:${readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]}`;

/** Every `escaped <pid>` the escapee fixture logged. */
function escapees(dir: string): number[] {
  const log = readFileSync(join(dir, '.pm', 'logs', 'app.log'), 'utf8');
  return [...log.matchAll(/^escaped (\d+)$/gm)].map((m) => Number(m[1]));
}

/**
 * Kills the daemon with -9 and saves the escapee as a stray of `app` in the state file, as the live
 * supervisor records what it tracks (written here so this test does not depend on when it scans).
 */
async function crashDaemonKeepingStray(dir: string, escapee: number): Promise<void> {
  const { daemon } = projectPids(dir);
  process.kill(daemon!, 'SIGKILL');
  await waitFor(() => !alive(daemon!), { message: 'daemon gone' });
  const state = readState(dir);
  const app = state.apps.find((a) => a.name === 'app')!;
  app.strays = [{ pid: escapee, token: tokenOf(escapee) }];
  writeFileSync(stateFile(dir), JSON.stringify(state));
}

describe('after kill -9 of the daemon, saved strays are ended', () => {
  it('`pm stop all` ends the app and a descendant that left its group and parent (setsid, double fork)', async () => {
    const { dir, extraPids } = makeProject({
      apps: [{ name: 'app', script: fixture('escapee.mjs'), ready: { log: 'escaped' }, stop: { signal: 'SIGINT', timeout: 2000 } }],
      dashboard: false,
    });
    await pmStart(dir);
    const [escapee] = escapees(dir);
    extraPids.add(escapee!);
    const appPid = readState(dir).apps[0]!.pid!;
    // The app's own stop settings are in its record: a supervisor-less stop never needs the config.
    expect(readState(dir).apps[0]!.stop).toEqual({ signal: 'SIGINT', timeout: 2000 });
    await crashDaemonKeepingStray(dir, escapee!);
    expect([appPid, escapee].every((p) => alive(p!))).toBe(true);

    const stopped = await pm(['stop', 'all'], { cwd: dir });
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain('stopped 1 process tree');
    await waitFor(() => !alive(appPid) && !alive(escapee!), { timeout: 5000, message: 'app and escapee ended' });
    expect(readState(dir).apps[0]!.strays).toEqual([]);
  });

  it('the next daemon ends the strays of an app it cannot adopt (its leader died meanwhile)', async () => {
    const { dir, extraPids } = makeProject({
      apps: [{ name: 'app', script: fixture('escapee.mjs'), ready: { log: 'escaped' } }],
      dashboard: false,
    });
    await pmStart(dir);
    const [escapee] = escapees(dir);
    extraPids.add(escapee!);
    const appPid = readState(dir).apps[0]!.pid!;
    await crashDaemonKeepingStray(dir, escapee!);
    process.kill(-appPid, 'SIGKILL');
    await waitFor(() => !alive(appPid));
    expect(alive(escapee!), 'the escapee outlives its app').toBe(true);

    await pmStart(dir);
    for (const pid of escapees(dir)) extraPids.add(pid);
    await waitFor(() => !alive(escapee!), { timeout: 10_000, message: 'the old escapee ended by the new daemon' });
    expect(readFileSync(join(dir, '.pm', 'daemon.log'), 'utf8')).toContain('ended processes the previous supervisor left');
  });

  it('a stray whose pid now belongs to another process is left alone (start token checked)', async () => {
    const { dir, extraPids } = makeProject({
      apps: [{ name: 'app', script: fixture('escapee.mjs'), ready: { log: 'escaped' } }],
      dashboard: false,
    });
    await pmStart(dir);
    const [escapee] = escapees(dir);
    extraPids.add(escapee!);
    const { daemon } = projectPids(dir);
    process.kill(daemon!, 'SIGKILL');
    await waitFor(() => !alive(daemon!));
    const state = readState(dir);
    state.apps[0]!.strays = [{ pid: escapee!, token: 'proc:1' }]; // as if the pid had been reused since
    writeFileSync(stateFile(dir), JSON.stringify(state));
    expect((await pm(['stop', 'all'], { cwd: dir })).code).toBe(0);
    await sleep(300);
    expect(alive(escapee!), 'not the process recorded: not ours to kill').toBe(true);
  });
});

describe('pm stop without a daemon', () => {
  it('never evaluates the config file: it stops with the settings saved in the state', async () => {
    const { dir, extraPids } = makeProject({ apps: [] });
    rmSync(join(dir, 'pm.config.json'));
    const marker = join(dir, 'evaluated.txt');
    writeFileSync(
      join(dir, 'pm.config.mjs'),
      `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(marker)}, 'x');
export default { apps: [{ name: 'stubborn', script: ${JSON.stringify(fixture('ignore-term.mjs'))}, ready: { log: 'stubborn up' }, stop: { signal: 'SIGINT', timeout: 500 } }], dashboard: false };
`,
    );
    await pmStart(dir);
    const pid = readState(dir).apps[0]!.pid!;
    extraPids.add(pid);
    const { daemon } = projectPids(dir);
    process.kill(daemon!, 'SIGKILL');
    await waitFor(() => !alive(daemon!));
    const before = readFileSync(marker, 'utf8').length;
    const t0 = Date.now();
    const stopped = await pm(['stop', 'all'], { cwd: dir });
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(alive(pid)).toBe(false);
    expect(readFileSync(marker, 'utf8').length, 'config not evaluated by pm stop').toBe(before);
    // SIGINT ends ignore-term.mjs at once; the default SIGTERM would have waited for the SIGKILL.
    expect(Date.now() - t0).toBeLessThan(4000);
  });
});

describe('one supervisor per project', () => {
  it('pm run refuses while a daemon or another pm run supervises the project, naming which', async () => {
    const { dir } = makeProject({ apps: [{ name: 'svc', script: fixture('sleeper.mjs') }], dashboard: false });
    await pmStart(dir);
    const { daemon } = projectPids(dir);
    const refused = await pm(['run'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`A pm daemon (PID ${daemon}) is already running this project`);
    expect((await pm(['stop', 'all'], { cwd: dir })).code).toBe(0);
    await waitFor(() => !alive(daemon!), { timeout: 10_000, message: 'daemon exit' });

    const first = pmChild(['run'], { cwd: dir });
    await waitFor(() => first.output().includes('svc ready'), { timeout: 15_000, message: 'first pm run ready' });
    const second = await pm(['run'], { cwd: dir });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`Another \`pm run\` (PID ${first.pid}) already runs this project`);
    first.kill('SIGINT');
    await new Promise((resolve) => first.once('exit', resolve));
  });
});

describe('pm run when nothing starts', () => {
  it('says nothing is running and exits 1 once every app failed and none is left to supervise', async () => {
    const { dir } = makeProject({
      apps: [{ name: 'bad', script: fixture('crash.mjs'), ready: { log: 'never' }, restart: { policy: 'never' } }],
      dashboard: false,
    });
    const result = await pm(['run'], { cwd: dir, timeout: 20_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"bad" failed to start');
    expect(result.stderr).toContain('nothing is running: every app failed to start or gave up');
  });
});
