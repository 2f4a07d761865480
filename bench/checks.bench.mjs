// Question: does configuring every built-in check slow /health down? @pm/health with all eight
// (postgresCheck on a real PostgreSQL, redisCheck on a real Redis, httpCheck, tcpCheck, diskCheck,
// memoryCheck, eventLoopCheck, pingCheck) against @pm/health with none, at 50 connections.
//
// Built-in checks memoise their result for cacheMs (1000 ms by default): between runs the report is
// built synchronously from the cached results and reused within its millisecond, like a report with
// no checks. Each server runs alone in its own child process; the two are measured in interleaved rounds.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, report, table } from './lib/report.mjs';

const ROUNDS = 9;
const DURATION_S = 1;
const WARMUP_S = 0.5;
const CONNECTIONS = 50;
const pgConfig = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
};
const redisConfig = { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) };

async function allChecks(dependencyPort) {
  const h = await import('@pm/health');
  const { default: pg } = await import('pg');
  const { Redis } = await import('ioredis');
  const pool = new pg.Pool({ ...pgConfig, max: 2 });
  pool.on('error', () => undefined);
  const redis = new Redis(redisConfig);
  redis.on('error', () => undefined);
  return {
    db: h.postgresCheck(pool),
    cache: h.redisCheck(redis),
    dependency: h.httpCheck(`http://127.0.0.1:${dependencyPort}/health`),
    broker: h.tcpCheck(redisConfig.host, redisConfig.port),
    disk: h.diskCheck({ minFreeRatio: 0.01 }),
    memory: h.memoryCheck({ maxRssBytes: 8 * 1024 ** 3 }),
    loop: h.eventLoopCheck({ maxDelayMs: 1000 }),
    ping: h.pingCheck('queue', () => true),
  };
}

async function serve(name, dependencyPort) {
  const { createHealth, createShutdown } = await import('@pm/health');
  const health = createHealth({ announceToSupervisor: false, checks: name === 'all' ? await allChecks(dependencyPort) : {} });
  const server = createServer(health.handler);
  createShutdown({ servers: [server], signals: [] });
  health.setReady();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const report = await health.report();
  const failing = Object.entries(report.checks).filter(([, c]) => c.status !== 'pass');
  if (failing.length > 0) throw new Error(`checks failing, the comparison would be meaningless: ${JSON.stringify(failing)}`);
  return server.address().port;
}

function startServer(name, dependencyPort) {
  const child = fork(fileURLToPath(import.meta.url), [`--serve=${name}`, `--dep=${dependencyPort}`], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', ({ port }) => resolve({ child, port }));
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });
}

const load = (port, duration) => autocannon({ url: `http://127.0.0.1:${port}/health`, connections: CONNECTIONS, duration });

/**
 * The handler's own cost per /health request, in process (no HTTP): on a machine shared with other
 * work the HTTP figures swing widely, this one much less. Returns ns per request.
 */
async function handlerCost(name, dependencyPort) {
  const { createHealth } = await import('@pm/health');
  const health = createHealth({ announceToSupervisor: false, checks: name === 'all' ? await allChecks(dependencyPort) : {} });
  health.setReady();
  await health.report(); // first runs, so the cached results are fresh
  const req = { url: '/health', method: 'GET' };
  let pending = 0;
  const res = { writeHead() {}, end: () => void pending-- };
  const N = 200_000;
  const samples = [];
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      pending++;
      health.handler(req, res);
      // A report that had to wait (a check's cache expired: one run per second) answers later.
      if (pending > 0 && i % 1000 === 0) await new Promise((r) => setImmediate(r));
    }
    while (pending > 0) await new Promise((r) => setImmediate(r));
    samples.push(Number(process.hrtime.bigint() - start) / N);
  }
  health.setShuttingDown();
  return median(samples);
}

async function main() {
  const loadBefore = loadavg()[0];
  // The dependency httpCheck calls: a server in this process, hit once per cacheMs.
  const dependency = createServer((req, res) => res.end('{"status":"ok"}'));
  await new Promise((resolve) => dependency.listen(0, '127.0.0.1', resolve));
  const names = ['none', 'all'];
  const started = {};
  for (const name of names) {
    started[name] = await startServer(name, dependency.address().port);
    await load(started[name].port, WARMUP_S);
  }
  const runs = { none: [], all: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const r = await load(started[name].port, DURATION_S);
      runs[name].push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx });
      process.stderr.write(
        `round ${round + 1} ${name}: ${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms, errors/non-2xx ${runs[name].at(-1).errors}\n`,
      );
    }
  }
  for (const { child } of Object.values(started)) {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  const inProcess = {
    none: await handlerCost('none', dependency.address().port),
    all: await handlerCost('all', dependency.address().port),
  };
  dependency.close();

  const ratio = median(runs.all.map((x, i) => x.rps / runs.none[i].rps));
  const labels = { none: '@pm/health, no checks', all: '@pm/health, all 8 built-in checks (cacheMs 1000, the default)' };
  const rows = [
    ['server', 'req/s (median)', 'vs no checks (median of per-round ratios)', 'p50', 'p99 (median)', 'errors'],
    ...names.map((n) => [
      labels[n],
      median(runs[n].map((x) => x.rps)).toFixed(0),
      n === 'none' ? 'baseline' : `${(ratio * 100).toFixed(1)}%`,
      `${median(runs[n].map((x) => x.p50))} ms`,
      `${median(runs[n].map((x) => x.p99))} ms`,
      String(runs[n].reduce((a, x) => a + x.errors, 0)),
    ]),
  ];
  report('checks', {
    title: '/health with every built-in check vs with none',
    description: [
      `Machine load average (1 min) at start and end: ${loadBefore.toFixed(1)} / ${loadavg()[0].toFixed(1)} (other work shares the cores; ratios of interleaved rounds are the figures to read).`,
      `autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} interleaved rounds; each server in its own process, idle while the other is measured.`,
      'The checks run against a real PostgreSQL (pg Pool) and Redis (ioredis), a local HTTP dependency, the disk, memory and the event loop; each result is memoised for its cacheMs (1000 ms by default),',
      'so a run costs one query per check per second whatever the request rate, and between runs the report is built synchronously from the cached results and reused within its millisecond.',
    ].join('\n'),
    tables: [
      table(rows),
      `The handler's own cost per /health request, in process without HTTP (7 × 200 000 calls, median): no checks ${inProcess.none.toFixed(0)} ns, all 8 checks ${inProcess.all.toFixed(0)} ns.`,
    ],
    ratioLine: `/health with all 8 built-in checks serves ${(ratio * 100).toFixed(1)}% of the req/s of /health with none (target ≥ 90%); in process the handler costs ${inProcess.all.toFixed(0)} ns vs ${inProcess.none.toFixed(0)} ns per request.`,
  });
}

// Dispatch last: the helpers above are initialised by now.
const serveArg = process.argv.find((a) => a.startsWith('--serve='));
if (serveArg) {
  const port = await serve(serveArg.slice('--serve='.length), Number(process.argv.find((a) => a.startsWith('--dep='))?.slice(6)));
  process.send({ port });
  process.once('disconnect', () => process.exit(0)); // the bench (parent) ended or crashed: don't linger
} else {
  await main();
}
