// @pm/orchestrator (`pm`) vs PM2, side by side on the same machine in one run:
//   1. daemon memory (RSS) supervising 1, 20 and 100 apps;
//   2. time from a crash (kill -9) to the app running again;
//   3. `pm status --json` vs `pm2 jlist` CLI latency;
//   4. time to start 20 apps from cold (daemon not running) until every app runs.
// Both run the same tiny app with equivalent settings: no readiness probe (PM2's "online" is "spawned"),
// restart at once after a run longer than 1 s (PM2: autorestart, restart_delay 0, min_uptime 1000).
// "Running" is measured the same way for both: each app appends its start time to a marker file as its
// first statement, so the figures include node's own start-up and no polling delay of ours.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, ms, report, table } from './lib/report.mjs';

const require = createRequire(import.meta.url);
const pmCli = join(dirname(require.resolve('@pm/orchestrator/package.json')), 'bin', 'pm.js');
const pm2Cli = join(dirname(require.resolve('pm2/package.json')), 'bin', 'pm2');
const root = mkdtempSync(join(tmpdir(), 'pm-bench-orch-'));
const pm2Home = join(root, 'pm2-home');
const markers = join(root, 'markers');
mkdirSync(markers);
const appScript = join(root, 'app.mjs');
writeFileSync(
  appScript,
  `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(markers)} + '/' + (process.env.APP ?? 'app'), Date.now() + '\\n');\nsetInterval(() => {}, 60_000);\n`,
);

const env = { ...process.env, PM2_HOME: pm2Home, NO_COLOR: '1', PM2_DISCRETE_MODE: 'true' };
const run = (cli, args, cwd) =>
  execFileSync(process.execPath, [cli, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).toString();
const pm = (args, cwd) => run(pmCli, args, cwd);
const pm2 = (args, cwd = root) => run(pm2Cli, args, cwd);

/** VmRSS (all resident pages, including the node binary shared with every node process) and RssAnon (private). */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)[1]) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon') };
}
const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
const readPid = (file) => {
  const text = readFileSync(file, 'utf8').trim();
  return text.startsWith('{') ? JSON.parse(text).pid : Number(text);
};
const lastMarker = (name) => {
  const file = join(markers, name);
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return Number(lines.at(-1));
};
async function until(condition, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (condition()) return;
    await sleep(5);
  }
  throw new Error('timed out');
}

function projectFor(n, label) {
  const dir = join(root, `pm-${label}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  // announce: 0 = ready once spawned, what PM2 reports too: the tiny app does not use @pm/health, so
  // the default 1.5 s window waiting for it to announce itself would only measure that window.
  const apps = Array.from({ length: n }, (_, i) => ({
    name: `${label}-${i}`,
    script: appScript,
    env: { APP: `pm-${label}-${i}` },
    ready: { announce: 0 },
  }));
  writeFileSync(join(dir, 'pm.config.json'), JSON.stringify({ apps, dashboard: { port: 0 } }));
  writeFileSync(
    join(dir, 'ecosystem.config.js'),
    `module.exports = { apps: ${JSON.stringify(apps.map((a) => ({ name: a.name, script: appScript, env: { APP: `pm2-${label}-${a.name.split('-').at(-1)}` }, autorestart: true, restart_delay: 0, min_uptime: 1000 })))} };`,
  );
  return dir;
}

let pm2Started = false;
function pm2Kill() {
  if (!pm2Started) return;
  try {
    pm2(['kill']);
  } catch {
    // already down
  }
}
process.on('exit', pm2Kill);

/** Cold start of n apps under each tool; returns start time, command time and daemon RSS (after 2 s settle). */
async function stackRun(n, label, withStatusLatency = false) {
  const dir = projectFor(n, label);
  const result = {};
  // pm
  rmSync(markers, { recursive: true, force: true });
  mkdirSync(markers);
  let t0 = Date.now();
  pm(['start'], dir);
  const pmCommand = Date.now() - t0;
  await until(() => Array.from({ length: n }, (_, i) => lastMarker(`pm-${label}-${i}`)).every((m) => m !== null));
  const pmAll = Math.max(...Array.from({ length: n }, (_, i) => lastMarker(`pm-${label}-${i}`))) - t0;
  await sleep(2000);
  const pmDaemon = readPid(join(dir, '.pm', 'daemon.pid'));
  result.pm = { command: pmCommand, all: pmAll, ...memoryOf(pmDaemon) };
  if (withStatusLatency) result.pm.status = latency(() => pm(['status', '--json'], dir));
  pm(['stop', 'all'], dir);
  await until(() => {
    try {
      process.kill(pmDaemon, 0);
      return false;
    } catch {
      return true;
    }
  }, 20_000);
  // PM2
  pm2Started = true;
  t0 = Date.now();
  pm2(['start', join(dir, 'ecosystem.config.js')], dir);
  const pm2Command = Date.now() - t0;
  await until(() => Array.from({ length: n }, (_, i) => lastMarker(`pm2-${label}-${i}`)).every((m) => m !== null));
  const pm2All = Math.max(...Array.from({ length: n }, (_, i) => lastMarker(`pm2-${label}-${i}`))) - t0;
  await sleep(2000);
  result.pm2 = { command: pm2Command, all: pm2All, ...memoryOf(readPid(join(pm2Home, 'pm2.pid'))) };
  if (withStatusLatency) result.pm2.status = latency(() => pm2(['jlist'], dir));
  pm2Kill();
  return result;
}

function latency(fn, iterations = 15) {
  fn(); // warm the page cache
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/** kill -9 the app `iterations` times; each sample is kill -> the new process's first statement. */
async function crashLoop(tool, iterations = 15) {
  const dir = projectFor(1, `crash-${tool}`);
  const marker = `${tool}-crash-${tool}-0`;
  rmSync(join(markers, marker), { force: true });
  if (tool === 'pm') pm(['start'], dir);
  else {
    pm2Started = true;
    pm2(['start', join(dir, 'ecosystem.config.js')], dir);
  }
  const pidOf = () => {
    if (tool === 'pm') return JSON.parse(pm(['status', '--json'], dir))[0].pid;
    return JSON.parse(pm2(['jlist'], dir))[0].pid;
  };
  await until(() => lastMarker(marker) !== null);
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    await sleep(1200); // each run outlives min_uptime / minUptime: both restart at once
    const pid = pidOf();
    const before = lastMarker(marker);
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    await until(() => lastMarker(marker) !== before, 10_000);
    samples.push(lastMarker(marker) - t0);
  }
  if (tool === 'pm') pm(['stop', 'all'], dir);
  else pm2Kill();
  return samples;
}

try {
  const one = await stackRun(1, 'one');
  const twenties = [];
  for (let i = 0; i < 3; i++) twenties.push(await stackRun(20, `twenty${i}`, i === 0));
  const hundred = await stackRun(100, 'hundred');
  const pmCrash = await crashLoop('pm');
  const pm2Crash = await crashLoop('pm2');

  const mid = (runs, tool, key) => median(runs.map((r) => r[tool][key]));
  const sizes = [
    [1, [one]],
    [20, twenties],
    [100, [hundred]],
  ];
  const ratio = (runs, key) => mid(runs, 'pm', key) / mid(runs, 'pm2', key);
  const rows = [
    ['apps', 'pm RSS', 'PM2 RSS', 'pm / PM2 (RSS)', 'pm private', 'PM2 private', 'pm / PM2 (private)'],
    ...sizes.map(([n, runs]) => [
      String(n),
      mb(mid(runs, 'pm', 'rss')),
      mb(mid(runs, 'pm2', 'rss')),
      ratio(runs, 'rss').toFixed(2),
      mb(mid(runs, 'pm', 'anon')),
      mb(mid(runs, 'pm2', 'anon')),
      ratio(runs, 'anon').toFixed(2),
    ]),
  ];
  const worst = Math.max(...sizes.map(([, runs]) => ratio(runs, 'rss')));
  const worstPrivate = Math.max(...sizes.map(([, runs]) => ratio(runs, 'anon')));
  // A bare `node -e "setInterval(() => {}, 1e3)"` on this machine, for scale.
  const bare = await (async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await sleep(1000);
    const memory = memoryOf(child.pid);
    child.kill('SIGKILL');
    return memory;
  })();
  report('orchestrator-memory', {
    title: 'Supervisor memory: pm daemon vs PM2 God daemon',
    description:
      'Memory of the supervising daemon 2 s after it started N copies of a tiny Node app (median of 3 runs for 20 apps). ' +
      'RSS is VmRSS; "private" is RssAnon, the memory not shared with other processes (RSS also counts the mapped node binary, ' +
      `which every Node process, the apps included, shares). The pm daemon includes its control API/dashboard server. ` +
      `For scale, a bare idle \`node -e\` process here: ${mb(bare.rss)} RSS, ${mb(bare.anon)} private. Lower is better.`,
    tables: [table(rows)],
    ratioLine: `pm daemon RSS is at most ${worst.toFixed(2)}x PM2's, private memory at most ${worstPrivate.toFixed(2)}x (target: at most 0.5x RSS; not reachable by a Node daemon here, since bare node is ${(bare.rss / mid(twenties, 'pm2', 'rss')).toFixed(2)}x PM2's RSS)`,
  });

  const crashMedianPm = median(pmCrash);
  const crashMedianPm2 = median(pm2Crash);
  report('orchestrator-crash', {
    title: 'Crash (kill -9) to running again',
    description: `Time from SIGKILL of a long-running app to the restarted process executing its first statement, ${pmCrash.length} crashes each, same app, both restarting at once after a run longer than min uptime. Includes Node's own start-up (~40 ms here).`,
    tables: [
      table([
        ['supervisor', 'median', 'min', 'max'],
        ['pm', ms(crashMedianPm), ms(Math.min(...pmCrash)), ms(Math.max(...pmCrash))],
        ['PM2', ms(crashMedianPm2), ms(Math.min(...pm2Crash)), ms(Math.max(...pm2Crash))],
      ]),
    ],
    ratioLine: `pm is back in ${ms(crashMedianPm)} (median), ${(crashMedianPm2 / crashMedianPm).toFixed(2)}x faster than PM2's ${ms(crashMedianPm2)} (target: under 100 ms, ahead of PM2)`,
  });

  const statusPm = twenties[0].pm.status;
  const statusPm2 = twenties[0].pm2.status;
  report('orchestrator-status', {
    title: '`pm status --json` vs `pm2 jlist` latency',
    description:
      'Wall time of one CLI call listing 20 running apps (a new node process each time, as a user or script would run it), median of 15.',
    tables: [
      table([
        ['command', 'median'],
        ['pm status --json', ms(statusPm)],
        ['pm2 jlist', ms(statusPm2)],
      ]),
    ],
    ratioLine: `pm status takes ${(statusPm / statusPm2).toFixed(2)}x the time of pm2 jlist (target: at most 0.5x)`,
  });

  report('orchestrator-start', {
    title: 'Cold start of 20 apps',
    description:
      'From running the start command with no daemon up until every one of 20 apps has executed its first statement (median of 3 runs); "command" is when the start command returned (pm returns once every app is ready, with `ready: { announce: 0 }` since the app does not use @pm/health; PM2 once it launched them).',
    tables: [
      table([
        ['supervisor', 'all 20 running', 'command returned'],
        ['pm start', ms(mid(twenties, 'pm', 'all')), ms(mid(twenties, 'pm', 'command'))],
        ['pm2 start', ms(mid(twenties, 'pm2', 'all')), ms(mid(twenties, 'pm2', 'command'))],
      ]),
    ],
    ratioLine: `pm starts 20 apps in ${(mid(twenties, 'pm', 'all') / mid(twenties, 'pm2', 'all')).toFixed(2)}x PM2's time`,
  });
} finally {
  pm2Kill();
  rmSync(root, { recursive: true, force: true });
}
