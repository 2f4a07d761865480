import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { freePort, makeTempDir, sleep, spawnFixture, waitFor } from '@pm/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createOrchestrator, PortInUseError, resolveConfig, StartFailedError, type OrchestratorEvent } from '../src/index.js';
import { backoffDelay } from '../src/supervisor/restart-policy.js';
import { alive, fixture, killAll, orchestrate } from './helpers.js';

const types = (events: OrchestratorEvent[], app: string, type: OrchestratorEvent['type']) =>
  events.filter((e) => e.app === app && e.type === type);

describe('dependency order', () => {
  it('starts each app after its dependencies are ready and stops in reverse order', async () => {
    const dir = makeTempDir();
    const dbPort = await freePort();
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          { name: 'web', script: fixture('log-line.mjs'), dependsOn: ['api'], ready: { log: 'listening' } },
          { name: 'api', script: fixture('sleeper.mjs'), dependsOn: ['db'] },
          {
            name: 'db',
            script: fixture('http-server.mjs'),
            port: dbPort,
            env: { READY_DELAY: '300' },
            ready: { http: `http://127.0.0.1:${dbPort}/health` },
          },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start();
    const at = (app: string, type: OrchestratorEvent['type']) => events.findIndex((e) => e.app === app && e.type === type);
    expect(at('db', 'ready')).toBeLessThan(at('api', 'spawn'));
    expect(at('api', 'ready')).toBeLessThan(at('web', 'spawn'));
    expect((await orchestrator.status()).map((s) => [s.name, s.status])).toEqual([
      ['db', 'running'],
      ['api', 'running'],
      ['web', 'running'],
    ]);
    await orchestrator.stop();
    const exits = events.filter((e) => e.type === 'exit').map((e) => e.app);
    expect(exits).toEqual(['web', 'api', 'db']);
  });

  it('starting one app starts its dependencies too', async () => {
    const dir = makeTempDir();
    const { orchestrator } = orchestrate(
      {
        apps: [
          { name: 'a', script: fixture('sleeper.mjs') },
          { name: 'b', script: fixture('sleeper.mjs'), dependsOn: ['a'] },
          { name: 'c', script: fixture('sleeper.mjs') },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start(['b']);
    expect((await orchestrator.status()).map((s) => s.status)).toEqual(['running', 'running', 'stopped']);
  });
});

describe('readiness', () => {
  it('http readiness on localhost finds a server listening on ::1 only', async () => {
    const dir = makeTempDir();
    const port = await freePort();
    const { orchestrator } = orchestrate(
      {
        apps: [
          {
            name: 'v6',
            script: fixture('http-server.mjs'),
            port,
            env: { HOST: '::1' },
            ready: { http: `http://localhost:${port}/health`, timeout: 10_000 },
          },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start();
    expect((await orchestrator.status())[0]?.status).toBe('running');
  });

  it('tcp readiness with port auto passes PORT and substitutes ${PORT}', async () => {
    const dir = makeTempDir();
    const { orchestrator } = orchestrate(
      {
        apps: [
          {
            name: 'auto',
            script: fixture('http-server.mjs'),
            port: 'auto',
            env: { READY_DELAY: '200' },
            ready: { tcp: '127.0.0.1:${PORT}' },
          },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start();
    const [status] = await orchestrator.status();
    expect(status?.status).toBe('running');
    expect(status?.port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${status!.port}/health`);
    expect(res.status).toBe(200);
  });

  it('port auto never hands out a port that is taken only on ::1', async () => {
    const dir = makeTempDir();
    // A run that restarts prefers its previous port. Adopt a live process recorded with port P, take P
    // on the IPv6 loopback only, then let the process die: the restart must pick another port.
    const squatter = createServer(); // port 0, not freePort(): get-port would keep a port it handed out locked anyway
    await new Promise<void>((resolve) => squatter.listen(0, '::1', resolve));
    onTestFinished(() => void squatter.close());
    const port = (squatter.address() as { port: number }).port;
    const orphan = spawnFixture(fixture('sleeper.mjs'), { detached: true });
    await orphan.waitForLine('up');
    const stat = readFileSync(`/proc/${orphan.pid}/stat`, 'utf8');
    const token = `proc:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
    const { orchestrator, events } = orchestrate(
      { apps: [{ name: 'auto', script: fixture('http-server.mjs'), port: 'auto', ready: { tcp: '127.0.0.1:${PORT}' } }] },
      { baseDir: dir },
    );
    expect(
      await orchestrator.adopt([
        { name: 'auto', status: 'running', pid: orphan.pid, startToken: token, port, restarts: 0, startedAt: Date.now() - 5000 },
      ]),
    ).toEqual(['auto']);
    process.kill(orphan.pid, 'SIGKILL');
    await waitFor(() => events.some((e) => e.type === 'ready' && e.pid !== orphan.pid), { timeout: 10_000, message: 'restarted' });
    const [status] = await orchestrator.status();
    expect(status?.port).toBeGreaterThan(0);
    expect(status?.port).not.toBe(port);
  });

  it('log readiness waits for the line', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          {
            name: 'logger',
            script: fixture('log-line.mjs'),
            env: { READY_DELAY: '400', READY_LINE: 'ready to serve' },
            ready: { log: /ready to \w+/ },
          },
        ],
      },
      { baseDir: dir },
    );
    const t0 = Date.now();
    await orchestrator.start();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(types(events, 'logger', 'ready')).toHaveLength(1);
  });

  it('ipc readiness accepts { type: "pm:ready" } and the plain "ready" string', async () => {
    const dir = makeTempDir();
    const { orchestrator } = orchestrate(
      {
        apps: [
          { name: 'obj', script: fixture('ipc-ready.mjs'), env: { READY_DELAY: '200' }, ready: 'ipc' },
          { name: 'plain', script: fixture('ipc-ready.mjs'), env: { READY_DELAY: '200', PLAIN: '1' }, ready: { ipc: true, timeout: 5000 } },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start();
    expect((await orchestrator.status()).map((s) => s.status)).toEqual(['running', 'running']);
  });

  it('a readiness timeout is a failed start, never running', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          { name: 'slow', script: fixture('sleeper.mjs'), ready: { log: 'never printed', timeout: 400 }, restart: { policy: 'never' } },
        ],
      },
      { baseDir: dir },
    );
    const error = await orchestrator.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartFailedError);
    expect((error as StartFailedError).code).toBe('PM_START_FAILED');
    expect(types(events, 'slow', 'ready')).toHaveLength(0);
    expect(events.some((e) => e.type === 'status' && e.status === 'running')).toBe(false);
    await waitFor(async () => (await orchestrator.status())[0]?.status === 'errored', { timeout: 5000 });
    const spawned = types(events, 'slow', 'spawn')[0] as { pid: number };
    expect(alive(spawned.pid)).toBe(false);
  });
});

describe('string commands', () => {
  it('runs a string command through the shell exactly as written', async () => {
    const dir = makeTempDir();
    const out = join(dir, 'out.txt');
    const { orchestrator } = orchestrate(
      {
        apps: [
          {
            name: 'sh',
            command: `printf '%s|' "a  b" $((1 + 2)) > ${JSON.stringify(out)}; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(fixture('sleeper.mjs'))}`,
            ready: { log: 'up' },
          },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start();
    expect(readFileSync(out, 'utf8')).toBe('a  b|3|');
  });

  it('a hand-built resolved config with args on a string command fails to start instead of joining them unquoted', async () => {
    const dir = makeTempDir();
    const resolved = resolveConfig({ apps: [{ name: 'sh', command: `touch ${JSON.stringify(join(dir, 'ran'))}` }] }, { baseDir: dir });
    resolved.apps[0]!.args.push('; touch injected');
    const orchestrator = createOrchestrator(resolved, { logDir: join(dir, 'logs') });
    onTestFinished(() => orchestrator.close());
    const error = await orchestrator.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartFailedError);
    expect((error as Error).message).toContain('put them in the command string, or make command an array');
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});

describe('restart policy', () => {
  it('crash -> restart with growing backoff -> errored after maxRestarts short runs', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          {
            name: 'crasher',
            script: fixture('crash.mjs'),
            restart: { maxRestarts: 3, window: 60_000, minUptime: 1000, backoff: { initial: 100, max: 400 } },
          },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start(); // no readiness config (and no announce window, see helpers): running once spawned
    await waitFor(async () => (await orchestrator.status())[0]?.status === 'errored', { timeout: 15_000 });
    const restarts = types(events, 'crasher', 'restart') as { delay: number }[];
    expect(restarts).toHaveLength(3);
    const delays = restarts.map((r) => r.delay);
    // 100, 200, 400 with ±20 % jitter
    expect(delays[0]).toBeGreaterThanOrEqual(80);
    expect(delays[0]).toBeLessThanOrEqual(120);
    expect(delays[1]).toBeGreaterThanOrEqual(160);
    expect(delays[2]).toBeGreaterThanOrEqual(320);
    expect(delays[2]).toBeLessThanOrEqual(400); // backoff.max is the largest delay, jitter included
    expect(events.some((e) => e.type === 'status' && e.status === 'backoff')).toBe(true);
    expect(types(events, 'crasher', 'errored')).toHaveLength(1);
    expect((await orchestrator.status())[0]?.restarts).toBe(3);
  });

  it('a run that never became ready counts as a short run however long it took (readiness timeout, or exit before ready)', async () => {
    const dir = makeTempDir();
    const restart = { maxRestarts: 2, window: 60_000, minUptime: 100, backoff: { initial: 100, max: 1000 } };
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          { name: 'slow', script: fixture('sleeper.mjs'), ready: { log: 'never printed', timeout: 300 }, restart },
          {
            name: 'early',
            script: fixture('crash.mjs'),
            env: { CRASH_AFTER: '300' },
            ready: { log: 'never printed', timeout: 10_000 },
            restart,
          },
        ],
      },
      { baseDir: dir },
    );
    expect(await orchestrator.start().catch((e: unknown) => e)).toBeInstanceOf(StartFailedError);
    // Each run lasts about 300 ms, longer than minUptime, yet none became ready: backoff grows and the policy gives up.
    await waitFor(async () => (await orchestrator.status()).every((s) => s.status === 'errored'), {
      timeout: 10_000,
      message: 'both errored',
    });
    for (const app of ['slow', 'early']) {
      const delays = (types(events, app, 'restart') as { delay: number }[]).map((r) => r.delay);
      expect(delays, app).toHaveLength(2);
      expect(delays[0], app).toBeGreaterThanOrEqual(80);
      expect(delays[1], app).toBeGreaterThanOrEqual(160);
      expect(types(events, app, 'start-failed'), app).toHaveLength(3);
      expect((types(events, app, 'errored')[0] as { reason: string }).reason, app).toContain('gave up after 3');
    }
  });

  it('a crash ends what the run left behind (its group, and a helper that left the group) before restarting or giving up', async () => {
    const dir = makeTempDir();
    const left = new Set<number>();
    onTestFinished(() => killAll(left));
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          {
            name: 'tree',
            script: fixture('crash-tree.mjs'),
            env: { CRASH_AFTER: '800' },
            ready: { log: 'grandchildren' },
            restart: { maxRestarts: 1, minUptime: 5000, backoff: { initial: 50, max: 50 } },
            stop: { timeout: 1000 },
          },
        ],
      },
      { baseDir: dir },
    );
    const grandchildren = () => {
      const lines = readFileSync(orchestrator.logFile('tree'), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('grandchildren '));
      const pids = lines.flatMap((l) => l.split(' ').slice(1).map(Number));
      for (const pid of pids) left.add(pid);
      return pids;
    };
    const aliveAtRespawn: number[][] = [];
    orchestrator.on((e) => {
      if (e.type === 'spawn' && types(events, 'tree', 'spawn').length > 1) aliveAtRespawn.push(grandchildren().filter(alive));
    });
    await orchestrator.start();
    await waitFor(async () => (await orchestrator.status())[0]?.status === 'errored', { timeout: 10_000, message: 'gave up' });
    const pids = grandchildren();
    expect(pids).toHaveLength(4); // two runs, two grandchildren each
    expect(aliveAtRespawn).toEqual([[]]); // the first run's tree was gone before the second run began
    expect(pids.filter(alive)).toEqual([]); // and the last one's before the app settled as errored
  });

  it('a shell command that crashes leaves no background job behind', async () => {
    const dir = makeTempDir();
    const { orchestrator } = orchestrate(
      { apps: [{ name: 'sh', command: 'sleep 1000 & echo "bg $!"; sleep 0.3; exit 1', restart: { policy: 'never' } }] },
      { baseDir: dir },
    );
    await orchestrator.start();
    await waitFor(async () => (await orchestrator.status())[0]?.status === 'errored', { timeout: 10_000, message: 'errored' });
    const bg = Number(readFileSync(orchestrator.logFile('sh'), 'utf8').match(/^bg (\d+)$/m)![1]);
    onTestFinished(() => killAll([bg]));
    expect(alive(bg)).toBe(false);
  });

  it('backoff jitter never goes above backoff.max', () => {
    for (const r of [0, 0.5, 0.999, 1]) {
      expect(backoffDelay(20, 100, 400, () => r)).toBeLessThanOrEqual(400);
      expect(backoffDelay(2, 100, 150, () => r)).toBeLessThanOrEqual(150);
    }
    expect(backoffDelay(20, 100, 400, () => 1)).toBe(400);
    expect(backoffDelay(20, 100, 400, () => 0)).toBe(320);
  });

  it('kill -9 of a long-running app restarts it at once', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      { apps: [{ name: 'svc', script: fixture('sleeper.mjs'), restart: { minUptime: 200 } }] },
      { baseDir: dir },
    );
    await orchestrator.start();
    const [first] = await orchestrator.status();
    await sleep(300);
    const killedAt = Date.now();
    process.kill(first!.pid!, 'SIGKILL');
    const back = await waitFor(
      async () => {
        const [s] = await orchestrator.status();
        return s?.status === 'running' && s.pid !== null && s.pid !== first!.pid ? s : null;
      },
      { timeout: 5000, interval: 5 },
    );
    expect(Date.now() - killedAt).toBeLessThan(3000);
    expect(back.restarts).toBe(1);
    expect((types(events, 'svc', 'restart')[0] as { delay: number }).delay).toBe(0);
  });

  it('on-failure leaves a clean exit stopped; always restarts it', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          { name: 'clean', script: fixture('crash.mjs'), env: { EXIT_CODE: '0', CRASH_AFTER: '300' } },
          {
            name: 'again',
            script: fixture('crash.mjs'),
            env: { EXIT_CODE: '0', CRASH_AFTER: '300' },
            restart: { policy: 'always', minUptime: 100 },
          },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start();
    await waitFor(() => types(events, 'again', 'restart').length >= 2, { timeout: 10_000 });
    const [clean] = await orchestrator.status();
    expect(clean?.status).toBe('stopped');
    expect(types(events, 'clean', 'restart')).toHaveLength(0);
  });

  it('failing liveness probes restart the app', async () => {
    const dir = makeTempDir();
    const sick = join(dir, 'sick');
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          {
            name: 'api',
            script: fixture('http-server.mjs'),
            port: 'auto',
            env: { SICK_FILE: sick },
            ready: { http: 'http://127.0.0.1:${PORT}/health' },
            health: { http: 'http://127.0.0.1:${PORT}/health', interval: 100, failures: 2 },
          },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start();
    const [before] = await orchestrator.status();
    writeFileSync(sick, '');
    await waitFor(() => types(events, 'api', 'health-failed').length > 0, { timeout: 5000 });
    rmSync(sick);
    const after = await waitFor(
      async () => {
        const [s] = await orchestrator.status();
        return s?.status === 'running' && s.pid !== null && s.pid !== before!.pid ? s : null;
      },
      { timeout: 10_000 },
    );
    expect(after.restarts, JSON.stringify(events.filter((e) => e.type !== 'output'))).toBe(1);
    expect(alive(before!.pid!)).toBe(false);
  });
});

describe('maxMemory', () => {
  it('restarts an app whose resident memory passes maxMemory', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          {
            name: 'hog',
            script: fixture('hog.mjs'),
            maxMemory: '150M',
            env: { HOG_MB: '200', HOG_AFTER: '300' },
            restart: { minUptime: 100 },
          },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start();
    await waitFor(() => types(events, 'hog', 'restart').length > 0, { timeout: 10_000, message: 'memory restart' });
    expect((types(events, 'hog', 'restart')[0] as { reason: string }).reason).toContain('maxMemory');
  });
});

describe('stop', () => {
  it('leaves nothing of the tree, grandchildren included (even one that left the group)', async () => {
    const dir = makeTempDir();
    const { orchestrator } = orchestrate(
      { apps: [{ name: 'tree', script: fixture('grandchild.mjs'), ready: { log: 'grandchildren' }, stop: { timeout: 1000 } }] },
      { baseDir: dir },
    );
    await orchestrator.start();
    const line = readFileSync(orchestrator.logFile('tree'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('grandchildren'))!;
    const [, same, escaped] = line.split(' ').map(Number);
    const [status] = await orchestrator.status();
    expect([status!.pid!, same!, escaped!].every(alive)).toBe(true);
    await orchestrator.stop();
    expect([status!.pid!, same!, escaped!].some(alive)).toBe(false);
    expect((await orchestrator.status())[0]?.status).toBe('stopped');
  });

  it('SIGKILLs an app that ignores the stop signal after the timeout', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      { apps: [{ name: 'stubborn', script: fixture('ignore-term.mjs'), ready: { log: 'stubborn up' }, stop: { timeout: 400 } }] },
      { baseDir: dir },
    );
    await orchestrator.start();
    const t0 = Date.now();
    await orchestrator.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    const exit = types(events, 'stubborn', 'exit')[0] as { signal: string };
    expect(exit.signal).toBe('SIGKILL');
  });

  it('start() during a restart waits for the old run to end; the app stays supervised', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          {
            name: 'stubborn',
            script: fixture('ignore-term.mjs'),
            ready: { log: 'stubborn up' },
            stop: { timeout: 500 },
            restart: { minUptime: 100 },
          },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start();
    const [first] = await orchestrator.status();
    const restarting = orchestrator.restart();
    await waitFor(async () => (await orchestrator.status())[0]?.status === 'stopping', { timeout: 2000, interval: 5 });
    await orchestrator.start();
    const outcome = await Promise.race([restarting.then(() => 'done'), sleep(5000).then(() => 'still waiting for the old run to end')]);
    expect(outcome).toBe('done');
    const [now] = await orchestrator.status();
    expect(now).toMatchObject({ status: 'running', restarts: 1 });
    expect(now!.pid).not.toBe(first!.pid);
    expect(alive(first!.pid!)).toBe(false);
    expect(types(events, 'stubborn', 'spawn')).toHaveLength(2);
    // Not stuck mid-stop: a crash is still restarted.
    await sleep(200);
    process.kill(now!.pid!, 'SIGKILL');
    await waitFor(
      async () => {
        const [s] = await orchestrator.status();
        return s?.status === 'running' && s.pid !== null && s.pid !== now!.pid;
      },
      { timeout: 5000, message: 'restarted after the crash' },
    );
  });

  it('restart() restarts one app at a time, each ready before the next', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          { name: 'a', script: fixture('log-line.mjs'), ready: { log: 'listening' } },
          { name: 'b', script: fixture('log-line.mjs'), ready: { log: 'listening' } },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start();
    events.length = 0;
    await orchestrator.restart();
    const seq = events.filter((e) => e.type === 'spawn' || e.type === 'ready' || e.type === 'exit').map((e) => `${e.app}:${e.type}`);
    expect(seq).toEqual(['a:exit', 'a:spawn', 'a:ready', 'b:exit', 'b:spawn', 'b:ready']);
    expect((await orchestrator.status()).map((s) => s.restarts)).toEqual([1, 1]);
  });
});

describe('ports, logs and adoption', () => {
  let server: Server | undefined;

  it('refuses to start on a busy fixed port with PM_PORT_IN_USE naming the holder', async () => {
    const dir = makeTempDir();
    const port = await freePort();
    server = createServer();
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    try {
      const { orchestrator, events } = orchestrate({ apps: [{ name: 'api', script: fixture('http-server.mjs'), port }] }, { baseDir: dir });
      const error = (await orchestrator.start().catch((e: unknown) => e)) as PortInUseError;
      expect(error).toBeInstanceOf(PortInUseError);
      expect(error.code).toBe('PM_PORT_IN_USE');
      expect(error.port).toBe(port);
      expect(error.holder?.pid).toBe(process.pid);
      expect(error.message).toContain(`pm free-port ${port}`);
      expect(events.filter((e) => e.type === 'spawn')).toHaveLength(0);
    } finally {
      await new Promise((r) => server!.close(r));
    }
  });

  it('emits output lines (stdout and stderr) when asked', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      { apps: [{ name: 'talker', script: fixture('log-line.mjs'), ready: { log: 'listening' } }] },
      { baseDir: dir, output: true, logPollInterval: 50 },
    );
    await orchestrator.start();
    await waitFor(() => events.some((e) => e.type === 'output' && e.line === 'a warning on stderr'));
    expect(events.some((e) => e.type === 'output' && e.app === 'talker' && e.line === 'booting')).toBe(true);
  });

  it('rotates log files by size, keeping disk use bounded', async () => {
    const dir = makeTempDir();
    const maxSize = 100 * 1024;
    const { orchestrator } = orchestrate(
      { apps: [{ name: 'chatty', script: fixture('chatty.mjs'), env: { LINES: '20000' }, logs: { maxSize, keep: 2 } }] },
      { baseDir: dir, logPollInterval: 20 },
    );
    await orchestrator.start();
    const file = orchestrator.logFile('chatty');
    const total = () => [file, `${file}.1`, `${file}.2`, `${file}.3`].filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
    let peak = 0;
    await waitFor(
      () => {
        peak = Math.max(peak, total());
        return (
          readFileSync(file, 'utf8').includes('done writing') ||
          (existsSync(`${file}.1`) && readFileSync(`${file}.1`, 'utf8').includes('done writing'))
        );
      },
      { timeout: 20_000, interval: 10 },
    );
    // 2 MB were written; at most the live file and 2 copies remain, each about maxSize (plus what arrives between polls).
    expect(existsSync(`${file}.2`)).toBe(true);
    expect(existsSync(`${file}.3`)).toBe(false);
    expect(peak).toBeLessThan(3 * (maxSize + 128 * 1024));
  });

  it("never replays an earlier run's log lines to output listeners, even for an app still waiting to start", async () => {
    const dir = makeTempDir();
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'late.log'), 'a line from yesterday\n');
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          { name: 'first', script: fixture('log-line.mjs'), env: { READY_DELAY: '600' }, ready: { log: 'listening' } },
          { name: 'late', script: fixture('log-line.mjs'), dependsOn: ['first'], ready: { log: 'listening' } },
        ],
      },
      { baseDir: dir, output: true, logPollInterval: 50 },
    );
    await orchestrator.start();
    const lines = events.flatMap((e) => (e.type === 'output' && e.app === 'late' ? [e.line] : []));
    expect(lines).toContain('server listening on 1234');
    expect(lines).not.toContain('a line from yesterday');
  });

  it('hands every line the log files kept to output listeners (pm run), across rotations', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      { apps: [{ name: 'chatty', script: fixture('chatty.mjs'), env: { LINES: '20000' }, logs: { maxSize: 100 * 1024, keep: 60 } }] },
      { baseDir: dir, output: true, logPollInterval: 100 },
    );
    await orchestrator.start();
    await waitFor(() => events.some((e) => e.type === 'output' && e.line === 'done writing'), { timeout: 20_000, message: 'writer done' });
    const numbers = (lines: string[]) => new Set(lines.flatMap((l) => /^(\d{6}) x+$/.exec(l)?.[1] ?? []).map(Number));
    const seen = numbers(events.flatMap((e) => (e.type === 'output' ? [e.line] : [])));
    const file = orchestrator.logFile('chatty');
    const rotated = readdirSync(dirname(file)).filter((f) => f.startsWith('chatty.log.'));
    expect(rotated.length, 'rotated at least twice').toBeGreaterThanOrEqual(2);
    const kept = numbers([file, ...rotated.map((f) => join(dirname(file), f))].flatMap((f) => readFileSync(f, 'utf8').split('\n')));
    expect([...kept].filter((n) => !seen.has(n))).toEqual([]);
  });

  it('adopts a live process left by an earlier supervisor and restarts it when it dies', async () => {
    const dir = makeTempDir();
    const orphan = spawnFixture(fixture('sleeper.mjs'), { detached: true });
    await orphan.waitForLine('up');
    const stat = readFileSync(`/proc/${orphan.pid}/stat`, 'utf8');
    const token = `proc:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
    const { orchestrator, pids } = orchestrate(
      {
        apps: [
          { name: 'kept', script: fixture('sleeper.mjs') },
          { name: 'gone', script: fixture('sleeper.mjs') },
        ],
      },
      { baseDir: dir },
    );
    const adopted = await orchestrator.adopt([
      { name: 'kept', status: 'running', pid: orphan.pid, startToken: token, port: null, restarts: 2, startedAt: Date.now() - 1000 },
      { name: 'gone', status: 'running', pid: orphan.pid, startToken: 'proc:1', port: null, restarts: 0, startedAt: Date.now() },
    ]);
    expect(adopted).toEqual(['kept']);
    const [kept, gone] = await orchestrator.status();
    expect(kept).toMatchObject({ status: 'running', pid: orphan.pid, restarts: 2 });
    expect(gone?.status).toBe('stopped');
    orphan.kill('SIGKILL');
    const back = await waitFor(
      async () => {
        const [s] = await orchestrator.status();
        return s?.status === 'running' && s.pid !== null && s.pid !== orphan.pid ? s : null;
      },
      { timeout: 5000 },
    );
    expect(back.restarts).toBe(3);
    expect(pids.has(back.pid!)).toBe(true);
  });
});
