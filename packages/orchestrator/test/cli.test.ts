import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { freePort, makeTempDir, sleep, spawnFixture, waitFor } from '@pm/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../src/index.js';
import { verbHelp } from '../src/cli/help.js';
import { pmPaths } from '../src/daemon/paths.js';
import { makeProject, pm, pmChild, pmStart, projectPids } from './cli-helpers.js';
import { alive, fixture, killAll } from './helpers.js';

describe('pm wait', () => {
  it('prints "Services ready" and exits 0 once every resource answers', async () => {
    const dir = makeTempDir();
    const port = await freePort();
    const server = createServer((_req, res) => res.end('ok'));
    setTimeout(() => server.listen(port, '127.0.0.1'), 500);
    try {
      const file = join(dir, 'flag');
      setTimeout(() => writeFileSync(file, 'x'), 300);
      const result = await pm(['wait', `http://127.0.0.1:${port}/`, `tcp:127.0.0.1:${port}`, file, '--timeout', '20', '--interval', '50'], {
        cwd: dir,
      });
      expect(result).toMatchObject({ code: 0, stdout: 'Services ready\n', stderr: '' });
    } finally {
      server.close();
    }
  });

  it('prints "Timeout waiting for services" on stderr and exits 1', async () => {
    const dir = makeTempDir();
    const port = await freePort();
    const t0 = Date.now();
    const result = await pm(['wait', `http://127.0.0.1:${port}/health`, '--timeout', '1'], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'Timeout waiting for services\n' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('reports a wrong option or resource as that (exit 2), never as a timeout', async () => {
    const dir = makeTempDir();
    const fractional = await pm(['wait', '/etc/hostname', '--interval', '100.5'], { cwd: dir });
    expect(fractional).toMatchObject({ code: 2, stdout: '' });
    expect(fractional.stderr).toContain('--interval a positive whole number of milliseconds');
    const tcp = await pm(['wait', 'tcp:nohost'], { cwd: dir });
    expect(tcp).toMatchObject({ code: 2, stderr: 'pm wait: "tcp:nohost" is not a tcp resource: write tcp:host:port or tcp:port.\n' });
    expect((await pm(['wait', `tcp:${await freePort()}`, '--timeout', '0.3'], { cwd: dir })).code).toBe(1);
  });
});

describe('pm free-port', () => {
  it('names the process on a port and, with --kill, ends it', async () => {
    const dir = makeTempDir();
    const port = await freePort();
    const server = spawnFixture(fixture('http-server.mjs'), { env: { PORT: String(port) } });
    await server.waitForLine('listening');
    const shown = await pm(['free-port', String(port)], { cwd: dir });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Port ${port} is used by PID ${server.pid}`);
    expect(alive(server.pid)).toBe(true);
    const killed = await pm(['free-port', String(port), '--kill'], { cwd: dir });
    expect(killed.code).toBe(0);
    expect(killed.stdout).toContain(`Ended PID ${server.pid}`);
    expect(killed.stdout).toContain(`Port ${port} is free.`);
    await server.exited;
    expect((await pm(['free-port', String(port)], { cwd: dir })).stdout).toBe(`Port ${port} is free.\n`);
  });

  it('with --kill ends every process sharing the listening socket, and says free only when it is', async () => {
    const dir = makeTempDir();
    const port = await freePort();
    const holders = spawnFixture(fixture('shared-listener.mjs'), { env: { PORT: String(port) } });
    const [, parent, child] = (await holders.waitForLine('holders')).split(' ').map(Number);
    onTestFinished(() => killAll([child!, parent!]));
    const killed = await pm(['free-port', String(port), '--kill'], { cwd: dir });
    expect(killed.code, killed.stdout + killed.stderr).toBe(0);
    expect(killed.stdout).toContain(`Ended PID ${parent}`);
    expect(killed.stdout).toContain(`Ended PID ${child}`);
    expect(killed.stdout.trimEnd().split('\n').at(-1)).toBe(`Port ${port} is free.`);
    await waitFor(() => !alive(child!) && !alive(parent!), { timeout: 5000, message: 'both holders gone' });
    expect((await pm(['free-port', String(port)], { cwd: dir })).stdout).toBe(`Port ${port} is free.\n`);
  });
});

describe('pm init, help, errors and colors', () => {
  it('init writes a starter config that loads', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@acme/shop', main: 'server.js' }));
    const result = await pm(['init'], { cwd: dir });
    expect(result.code).toBe(0);
    const { config } = await loadConfig({ dir });
    expect(config.apps[0]).toMatchObject({ name: 'shop', script: join(dir, 'server.js'), port: 'auto' });
    expect((await pm(['init'], { cwd: dir })).code).toBe(1);
  });

  it('--help works on every verb', async () => {
    const dir = makeTempDir();
    for (const verb of Object.keys(verbHelp)) {
      const result = await pm([verb, '--help'], { cwd: dir });
      expect(result.code, verb).toBe(0);
      expect(result.stdout, verb).toContain(`pm ${verb}`);
    }
    const main = await pm(['--help'], { cwd: dir });
    expect(main.code).toBe(0);
    for (const verb of Object.keys(verbHelp)) expect(main.stdout).toContain(verb);
  });

  it('reports config problems with their paths and exit 1; unknown verbs exit 2', async () => {
    const { dir } = makeProject({ apps: [{ name: 'x', script: 'a.js', restart: { policy: 'sometimes' } }, { name: 'y' }] });
    const result = await pm(['start'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('apps[0].restart.policy');
    expect(result.stderr).toContain('apps[1]: expected one of `script` or `command`');
    expect((await pm(['frobnicate'], { cwd: dir })).code).toBe(2);
    const none = await pm(['status'], { cwd: makeTempDir() });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('pm init');
  });

  it('colors only when allowed: NO_COLOR wins over FORCE_COLOR', async () => {
    const { dir } = makeProject({ apps: [{ name: 'x', script: fixture('sleeper.mjs') }], dashboard: false });
    await pmStart(dir);
    const forced = await pm(['status'], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[');
    const plain = await pm(['status'], { cwd: dir, env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\u001b[');
  });
});

describe('pm run', () => {
  it('runs in the foreground with prefixed output; Ctrl-C stops everything cleanly', async () => {
    const { dir } = makeProject({
      apps: [
        { name: 'api', script: fixture('log-line.mjs'), ready: { log: 'listening' } },
        { name: 'worker', script: fixture('grandchild.mjs'), dependsOn: ['api'], ready: { log: 'grandchildren' } },
      ],
    });
    const child = pmChild(['run'], { cwd: dir });
    await waitFor(() => child.output().includes('worker ready'), { timeout: 15_000, message: 'worker ready' });
    await waitFor(() => /^worker \| grandchildren \d+ \d+$/m.test(child.output()), { timeout: 5000, message: 'prefixed output' });
    expect(child.output()).toMatch(/^api {4}\| booting$/m);
    expect(child.output()).toMatch(/^api {4}\| a warning on stderr$/m);
    const [, a, b] = /grandchildren (\d+) (\d+)/.exec(child.output())!;
    const pids = [Number(a), Number(b)];
    expect(pids.every(alive)).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(child.output()).toContain('all stopped');
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(join(dir, '.pm', 'daemon.pid')), 'its lock is released').toBe(false);
  });

  it('a second Ctrl-C kills at once what the first could not stop', async () => {
    const { dir, extraPids } = makeProject({ apps: [{ name: 'stubborn', script: fixture('ignore-term.mjs'), stop: { timeout: 60_000 } }] });
    const child = pmChild(['run'], { cwd: dir });
    await waitFor(() => child.output().includes('stubborn up'), { timeout: 15_000, message: 'its SIGTERM handler installed' });
    const [pid] = new Set(projectPids(dir).apps);
    extraPids.add(pid!);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    await waitFor(() => child.output().includes('again to kill at once'), { timeout: 5000, message: 'first Ctrl-C seen' });
    await sleep(300);
    expect(alive(pid!), 'SIGTERM is ignored').toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    await waitFor(() => !alive(pid!), { timeout: 3000, message: 'killed by the second Ctrl-C' });
  });

  it('excludes a daemon while it runs, and after a kill -9 of it `pm stop all` ends what it left', async () => {
    const { dir, extraPids } = makeProject({
      apps: [{ name: 'worker', script: fixture('grandchild.mjs'), ready: { log: 'grandchildren' } }],
    });
    const child = pmChild(['run'], { cwd: dir });
    await waitFor(() => /grandchildren \d+ \d+/.test(child.output()), { timeout: 15_000, message: 'worker ready' });
    const [, a, b] = /grandchildren (\d+) (\d+)/.exec(child.output())!;
    const pids = [Number(a), Number(b), ...projectPids(dir).apps];
    for (const pid of pids) extraPids.add(pid);
    expect(new Set(projectPids(dir).apps).size).toBe(1); // recorded in the state file, as the daemon records

    const start = await pm(['start'], { cwd: dir });
    expect(start.code).toBe(1);
    expect(start.stderr).toContain(`A foreground \`pm run\` (PID ${child.pid}) supervises this project`);
    const refused = await pm(['stop', 'all'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(pids.every(alive), 'a live pm run keeps its apps').toBe(true);

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(pids.every(alive), 'its apps outlive it (own process groups)').toBe(true);
    const stopped = await pm(['stop', 'all'], { cwd: dir });
    expect(stopped.stdout).toContain('stopped 1 process tree');
    await waitFor(() => pids.every((pid) => !alive(pid)), { timeout: 5000, message: 'nothing left behind' });
  });
});

describe('pm logs', () => {
  it('prints the last lines of an app, and follows with -f', async () => {
    const { dir } = makeProject({
      apps: [{ name: 'talker', script: fixture('log-line.mjs'), ready: { log: 'listening' } }],
      dashboard: false,
    });
    await pmStart(dir);
    const last = await pm(['logs', 'talker', '--lines', '2'], { cwd: dir });
    expect(last.stdout).toBe('a warning on stderr\nserver listening on 1234\n');
    const follow = pmChild(['logs', '-f', '--lines', '0'], { cwd: dir });
    await sleep(500);
    const [status] = JSON.parse((await pm(['status', '--json'], { cwd: dir })).stdout) as { pid: number }[];
    // a restart writes new lines to the same file
    expect((await pm(['restart', 'talker'], { cwd: dir })).code).toBe(0);
    await waitFor(() => follow.output().includes('server listening on 1234'), { timeout: 10_000, message: 'followed line' });
    expect(follow.output()).toContain('booting');
    expect(status!.pid).toBeGreaterThan(0);
    expect((await pm(['logs', 'nobody'], { cwd: dir })).code).toBe(1);
    const log = readFileSync(join(dir, '.pm', 'logs', 'talker.log'), 'utf8');
    expect(log).toContain('booting');
    // each run begins with a header line, so lines of an earlier run never pass for the current one
    expect(log.match(/^--- pm: talker starting at \d{4}-\d\d-\d\dT[\d:.]+Z ---$/gm)).toHaveLength(2);
    expect(projectPids(dir).daemon).toBeGreaterThan(0);
  });
});

describe('pm logs -f across rotations', () => {
  it('loses no line that the rotated files kept while a fast writer is rotated several times', async () => {
    const { dir } = makeProject({
      apps: [
        {
          name: 'chatty',
          script: fixture('chatty.mjs'),
          env: { LINES: '40000', START_DELAY_MS: '1500' },
          logs: { maxSize: '100K', keep: 60 },
        },
      ],
      dashboard: false,
    });
    await pmStart(dir);
    const follower = pmChild(['logs', 'chatty', '-f', '--lines', '0'], { cwd: dir });
    await waitFor(() => follower.output().includes('done writing'), { timeout: 30_000, message: 'the writer finished' });
    await sleep(300);
    follower.kill('SIGINT');
    const numberList = (text: string) => [...text.matchAll(/^(\d{6}) x+$/gm)].map((m) => Number(m[1]));
    const numbers = (text: string) => new Set(numberList(text));
    const followed = numbers(follower.output());
    expect(numberList(follower.output()).length, 'no line printed twice').toBe(followed.size);
    const logs = join(dir, '.pm', 'logs');
    const files = readdirSync(logs).filter((f) => f.startsWith('chatty.log'));
    expect(files.length, 'rotated at least twice').toBeGreaterThanOrEqual(3);
    const kept = numbers(files.map((f) => readFileSync(join(logs, f), 'utf8')).join(''));
    // Copy-then-truncate loses what is written between the two steps; the follower may lose nothing more.
    const missed = [...kept].filter((n) => !followed.has(n));
    expect(missed).toEqual([]);
    expect(followed.size).toBeGreaterThan(30_000); // the rest: lost between copy and truncate, more so on a loaded machine
  });
});

describe('pm stop without a reachable daemon', () => {
  it('refuses while a live daemon still holds the lock, instead of ending apps it would restart', async () => {
    const { dir } = makeProject({ apps: [{ name: 'svc', script: fixture('sleeper.mjs') }], dashboard: false });
    await pmStart(dir);
    const { daemon, apps } = projectPids(dir);
    const socket = join(dir, '.pm', 'daemon.sock');
    renameSync(socket, `${socket}.hidden`); // the daemon still listens, but nobody finds it
    try {
      const refused = await pm(['stop', 'all'], { cwd: dir });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`A pm daemon (PID ${daemon}) supervises this project but does not answer`);
      expect(apps.every(alive)).toBe(true);
    } finally {
      renameSync(`${socket}.hidden`, socket);
    }
    expect((await pm(['stop', 'all'], { cwd: dir })).code).toBe(0);
  });
});

describe('deep project folders', () => {
  it('puts the daemon socket in a private 0700 folder of this user when the project path is too long for a socket', async () => {
    const { dir } = makeProject({ apps: [{ name: 'svc', script: fixture('sleeper.mjs') }], dashboard: false });
    const deep = join(dir, 'd'.repeat(110));
    mkdirSync(deep);
    renameSync(join(dir, 'pm.config.json'), join(deep, 'pm.config.json'));
    onTestFinished(async () => {
      // Only when the test failed half-way: a passing run has stopped everything already.
      const left = projectPids(deep).daemon;
      if (left && alive(left)) await pm(['stop', 'all'], { cwd: deep });
    });
    await pmStart(deep);
    const socketPath = pmPaths(deep).socket;
    expect(socketPath.startsWith(deep)).toBe(false);
    expect(statSync(dirname(socketPath)).mode & 0o777).toBe(0o700);
    expect(statSync(socketPath).isSocket()).toBe(true);
    expect((await pm(['status', '--json'], { cwd: deep })).stdout).toContain('"svc"');
    const daemon = projectPids(deep).daemon!;
    const stopped = await pm(['stop', 'all'], { cwd: deep });
    expect(stopped.code, stopped.stderr).toBe(0);
    // The daemon leaves once idle; let it finish writing its log before the folder is removed.
    await waitFor(() => !alive(daemon), { timeout: 10_000, message: 'daemon exited' });
  });
});
