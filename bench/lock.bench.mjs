// @pm/lock vs proper-lockfile vs the raw mkdir+rmdir floor: uncontended acquire+release, takeover
// after the holder's SIGKILL, and the start-up cost an app pays for its first acquire.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, promises as fs, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireInstanceLock, fileBackend } from '@pm/lock';
import lockfile from 'proper-lockfile';
import { median, ms, quantile, report, table } from './lib/report.mjs';
import { timeTakeover } from './lib/timing.mjs';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'pm-bench-lock-'));
const here = new URL('.', import.meta.url).pathname;

async function timeLoop(fn) {
  for (let i = 0; i < 200; i++) await fn(); // warm-up
  const samples = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

// 1. Uncontended acquire + release.
const floorDir = join(dir, 'raw.lock');
const pmSocket = fileBackend({ path: join(dir, 'pm-socket.pid'), exclusion: 'socket', checkInterval: 0 });
const pmLink = fileBackend({ path: join(dir, 'pm-link.pid'), exclusion: 'link', checkInterval: 0 });
const plFile = join(dir, 'proper.target');
await fs.writeFile(plFile, '');
const contenders = [
  [
    'raw mkdir + rmdir (floor)',
    async () => {
      await fs.mkdir(floorDir);
      await fs.rmdir(floorDir);
    },
  ],
  [
    'raw mkdirSync + rmdirSync',
    async () => {
      mkdirSync(floorDir);
      rmdirSync(floorDir);
    },
  ],
  [
    '@pm/lock (socket, default on Linux)',
    async () => (await acquireInstanceLock({ name: 'b', backend: pmSocket, releaseOnExit: false })).release(),
  ],
  ['@pm/lock (link)', async () => (await acquireInstanceLock({ name: 'b', backend: pmLink, releaseOnExit: false })).release()],
  ['proper-lockfile lock + unlock', async () => (await lockfile.lock(plFile, { realpath: false }))()],
];
const uncontended = [];
for (const [name, fn] of contenders) uncontended.push([name, await timeLoop(fn)]);
const floor = median(uncontended[0][1]);
const medianOf = (label) => median(uncontended.find(([n]) => n.startsWith(label))[1]);

// 2. Takeover latency after SIGKILL of the holder: a waiter is already waiting when the holder dies.
async function takeover(kind, path, acquire, stale = 0) {
  const { killedAt, acquiredAt } = await timeTakeover({
    holderArgs: [join(here, 'fixtures/lock-holder.mjs'), kind, path, String(stale)],
    acquire,
    settleMs: 20,
  });
  return acquiredAt - killedAt;
}
const takeovers = [];
const pmTakeover = [];
for (let i = 0; i < 30; i++) {
  const path = join(dir, `takeover-${i}.pid`);
  pmTakeover.push(
    await takeover('pm', path, async () => {
      const lock = await acquireInstanceLock({ name: 'bench', path, wait: 30_000, releaseOnExit: false });
      return () => lock.release();
    }),
  );
}
takeovers.push(['@pm/lock (waiter, socket)', pmTakeover]);
for (const [label, stale, runs] of [
  ['proper-lockfile, minimum stale (2 s)', 2000, 3],
  ['proper-lockfile, default stale (10 s)', 10_000, 2],
]) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const path = join(dir, `pl-takeover-${stale}-${i}`);
    await fs.writeFile(path, '');
    samples.push(
      await takeover(
        'proper-lockfile',
        path,
        () => lockfile.lock(path, { realpath: false, stale, retries: { retries: 1000, minTimeout: 20, maxTimeout: 100, factor: 1 } }),
        stale,
      ),
    );
  }
  takeovers.push([label, samples]);
}

// 3. Start-up cost: import + first acquire in a fresh process.
const startup = [];
for (let i = 0; i < 30; i++) {
  const result = spawnSync(process.execPath, [join(here, 'fixtures/lock-startup.mjs'), join(dir, `startup-${i}.pid`)], {
    encoding: 'utf8',
  });
  startup.push(JSON.parse(result.stdout));
}
rmSync(dir, { recursive: true, force: true });

const pm = medianOf('@pm/lock (socket');
const pl = medianOf('proper-lockfile');
const pmTake = median(pmTakeover);
const startupMedian = median(startup.map((s) => s.totalMs));
report('lock', {
  title: '@pm/lock: acquire, takeover, start-up',
  description: `Local file locks. ${ITERATIONS} uncontended acquire+release cycles per contender after 200 warm-up cycles; takeover = time from the holder's SIGKILL until an already-waiting contender holds the lock; start-up = import + first acquire in 30 fresh processes.`,
  tables: [
    table([
      ['uncontended acquire+release', 'median', 'p95', 'x floor'],
      ...uncontended.map(([name, s]) => [name, ms(median(s)), ms(quantile(s, 0.95)), (median(s) / floor).toFixed(2)]),
    ]),
    table([
      ['takeover after SIGKILL', 'runs', 'median', 'max'],
      ...takeovers.map(([name, s]) => [name, String(s.length), ms(median(s)), ms(Math.max(...s))]),
    ]),
    table([
      ['start-up (fresh process)', 'median', 'p95'],
      [
        'import @pm/lock',
        ms(median(startup.map((s) => s.importMs))),
        ms(
          quantile(
            startup.map((s) => s.importMs),
            0.95,
          ),
        ),
      ],
      [
        'first acquire',
        ms(median(startup.map((s) => s.acquireMs))),
        ms(
          quantile(
            startup.map((s) => s.acquireMs),
            0.95,
          ),
        ),
      ],
      [
        'total',
        ms(startupMedian),
        ms(
          quantile(
            startup.map((s) => s.totalMs),
            0.95,
          ),
        ),
      ],
    ]),
  ],
  ratioLine: `@pm/lock acquire+release = ${(pm / floor).toFixed(2)}x the async mkdir+rmdir floor (target ≤ 3x; ${(pm / medianOf('raw mkdirSync')).toFixed(2)}x the sync one) and ${(pm / pl).toFixed(2)}x proper-lockfile (target ≤ 1x); takeover median ${ms(pmTake)} (target < 20 ms) vs ${ms(median(takeovers[2][1]))} for proper-lockfile defaults; start-up ${ms(startupMedian)} (target < 20 ms)`,
});
