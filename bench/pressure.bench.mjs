// Question: what does @pm/health's underPressure cost per request, and how soon does it start
// shedding, next to @fastify/under-pressure on the same load?
//
// Each server runs alone in its own child process (this file, started with --serve=<name>); the load
// (autocannon, and a small overload driver) runs in this process. Overhead is measured against each
// library's own baseline (node:http + @pm/health without pressure; fastify without the plugin), in
// interleaved rounds. Overload: 4 clients in closed loops on a route that busy-waits 60 ms per
// request; "time to first 503" runs from the first of those requests to the first 503 seen.
import { fork } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, report, table } from './lib/report.mjs';

const ROUNDS = 9;
const DURATION_S = 1;
const WARMUP_S = 0.5;
const CONNECTIONS = 50;
const TRIALS = 5;
const MAX_DELAY_MS = 100;
const HEAVY_MS = 60;
const HEAVY_CLIENTS = 4;

/** The app both stacks serve: a cheap route, and one that burns CPU for `ms`. */
function work(url, end) {
  if (url.startsWith('/heavy')) {
    const until = performance.now() + Number(new URL(url, 'http://x').searchParams.get('ms'));
    while (performance.now() < until);
  }
  end('ok');
}

async function pmServer(pressure) {
  const { createHealth, underPressure } = await import('@pm/health');
  const health = createHealth({
    announceToSupervisor: false,
    pressure: pressure ? underPressure({ maxEventLoopDelayMs: MAX_DELAY_MS }) : undefined,
  });
  health.setReady();
  const server = createServer((req, res) => health.handler(req, res, () => work(req.url, (body) => res.end(body))));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

async function fastifyServer(plugin) {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  if (plugin) await app.register((await import('@fastify/under-pressure')).default, { maxEventLoopDelay: MAX_DELAY_MS, ...plugin });
  app.get('/*', (req, reply) => work(req.url, (body) => reply.send(body)));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server.address().port;
}

const servers = {
  'pm-base': () => pmServer(false),
  pm: () => pmServer(true),
  'fastify-base': () => fastifyServer(undefined),
  fastify: () => fastifyServer({}),
  // Same sampling window as ours, to separate the window from the method.
  'fastify-100': () => fastifyServer({ sampleInterval: 100 }),
};
const labels = {
  'pm-base': 'node:http + @pm/health, no pressure',
  pm: '@pm/health underPressure (defaults: 100 ms window, worst delay)',
  'fastify-base': 'fastify, no plugin',
  fastify: '@fastify/under-pressure (defaults: 1000 ms window, mean delay)',
  'fastify-100': '@fastify/under-pressure, sampleInterval 100',
};

/**
 * Per-request cost of each limiter in process, without HTTP: on a machine shared with other work the
 * HTTP throughput swings far more than the few hundred ns at stake. Ours: the health handler passing
 * a request to the app, with and without `pressure`. Theirs: the plugin's onRequest hook (below).
 * Limits that cannot trip, so both measure the not-overloaded path. Returns ns per request, median of
 * interleaved rounds.
 */
async function inProcessOverhead() {
  const { createHealth, underPressure } = await import('@pm/health');
  const { default: Fastify } = await import('fastify');
  const noLimit = 1e12;
  const pm = async (pressure) => {
    const health = createHealth({
      announceToSupervisor: false,
      pressure: pressure ? underPressure({ maxHeapUsedBytes: noLimit }) : undefined,
    });
    health.setReady();
    const req = { url: '/work', method: 'GET' };
    const res = { writeHead() {}, end() {} };
    const next = () => res.end('ok');
    return {
      run: (n) => {
        for (let i = 0; i < n; i++) health.handler(req, res, next);
      },
      n: 1_000_000,
      stop: () => health.setShuttingDown(),
    };
  };
  // Their onRequest hook called directly (fastify's inject() costs far more than the hook and swings
  // with the machine's load): a lower bound, since fastify's hook runner adds its own cost per hook.
  const fastify = async (plugin) => {
    const app = Fastify({ logger: false });
    if (plugin) await app.register((await import('@fastify/under-pressure')).default, { maxHeapUsedBytes: noLimit });
    await app.ready();
    const hooks = app[Object.getOwnPropertySymbols(app).find((sym) => sym.description === 'fastify.hooks')];
    const hook = plugin ? hooks.onRequest[0] : (req, reply, next) => next();
    const req = { routeOptions: { config: {} } };
    const next = () => {};
    return {
      run: (n) => {
        for (let i = 0; i < n; i++) hook(req, {}, next);
      },
      n: 1_000_000,
      stop: () => app.close(),
    };
  };
  const subjects = { 'pm-base': await pm(false), pm: await pm(true), 'fastify-base': await fastify(false), fastify: await fastify(true) };
  const ns = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
  for (let round = 0; round < 7; round++) {
    for (const [name, s] of Object.entries(subjects)) {
      const start = process.hrtime.bigint();
      await s.run(s.n);
      ns[name].push(Number(process.hrtime.bigint() - start) / s.n);
    }
  }
  for (const s of Object.values(subjects)) await s.stop();
  const diff = (name, base) => median(ns[name].map((x, i) => x - ns[base][i]));
  return {
    pm: diff('pm', 'pm-base'),
    fastify: diff('fastify', 'fastify-base'),
    raw: Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, median(v)])),
  };
}

function startServer(name) {
  const child = fork(fileURLToPath(import.meta.url), [`--serve=${name}`], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', ({ port }) => resolve({ child, port }));
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });
}

const load = (port, duration) => autocannon({ url: `http://127.0.0.1:${port}/work`, connections: CONNECTIONS, duration });

function get(agent, port, path) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Overloads the server until the first 503 (or 5 s); returns ms from the first heavy request to it. */
async function timeToShed(port) {
  const agent = new Agent({ keepAlive: true, maxSockets: HEAVY_CLIENTS + 1 });
  const start = performance.now();
  let first;
  await Promise.all(
    Array.from({ length: HEAVY_CLIENTS }, async () => {
      while (first === undefined && performance.now() - start < 5000) {
        const status = await get(agent, port, `/heavy?ms=${HEAVY_MS}`);
        if (status === 503 && first === undefined) first = performance.now() - start;
      }
    }),
  );
  // Recovery before the next trial: until the cheap route is served again (both sample on unref'd timers).
  const calm = performance.now();
  while ((await get(agent, port, '/work')) !== 200 && performance.now() - calm < 5000) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1200)); // a full quiet window for the 1000 ms sampler too
  agent.destroy();
  return first;
}

async function main() {
  const loadBefore = loadavg()[0];
  const names = Object.keys(servers);
  const started = {};
  for (const name of names) {
    started[name] = await startServer(name);
    await load(started[name].port, WARMUP_S);
  }
  const rps = Object.fromEntries(names.map((n) => [n, []]));
  const shedUnderNormalLoad = Object.fromEntries(names.map((n) => [n, 0]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      const r = await load(started[name].port, DURATION_S);
      // Served requests only: a 503 shed on a loaded machine is cheaper than the route and would flatter the limiter.
      const served = r['2xx'] / DURATION_S;
      rps[name].push(served);
      shedUnderNormalLoad[name] += r.non2xx;
      process.stderr.write(`round ${round + 1} ${name}: ${served.toFixed(0)} 2xx/s, non-2xx ${r.non2xx}\n`);
    }
  }
  const shedding = Object.fromEntries(names.filter((n) => !n.endsWith('base')).map((n) => [n, []]));
  for (let trial = 0; trial < TRIALS; trial++) {
    for (const name of Object.keys(shedding)) {
      const t = await timeToShed(started[name].port);
      shedding[name].push(t ?? Infinity);
      process.stderr.write(`trial ${trial + 1} ${name}: first 503 after ${t === undefined ? 'none in 5 s' : `${t.toFixed(0)} ms`}\n`);
    }
  }
  for (const { child } of Object.values(started)) {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  const inProcess = await inProcessOverhead();

  // Per-request overhead from throughput against the library's own baseline, per round (the machine's
  // load drifts), median over rounds. At 50 connections on one core, 1/rps is the server time per request.
  const overheadUs = (name, base) => median(rps[name].map((x, i) => (1 / x - 1 / rps[base][i]) * 1e6));
  const costRatio = (name, base) => median(rps[name].map((x, i) => x / rps[base][i]));
  const base = { pm: 'pm-base', fastify: 'fastify-base', 'fastify-100': 'fastify-base' };
  const rows = [
    [
      'server',
      '2xx/s (median)',
      'vs its baseline (median of per-round ratios)',
      'overhead per request (median)',
      'non-2xx on the cheap route (all rounds)',
    ],
    ...names.map((n) => [
      labels[n],
      median(rps[n]).toFixed(0),
      base[n] ? `${(costRatio(n, base[n]) * 100).toFixed(1)}%` : 'baseline',
      base[n] ? `${overheadUs(n, base[n]).toFixed(2)} µs` : '',
      String(shedUnderNormalLoad[n]),
    ]),
  ];
  const fmt = (v) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'none in 5 s');
  const shedRows = [
    ['server', 'time to first 503 (median)', 'min', 'max'],
    ...Object.keys(shedding).map((n) => [
      labels[n],
      fmt(median(shedding[n])),
      fmt(Math.min(...shedding[n])),
      fmt(Math.max(...shedding[n])),
    ]),
  ];
  const ours = median(shedding.pm);
  const theirs = median(shedding.fastify);
  const detectRatio = theirs / ours;
  report('pressure', {
    title: 'Load shedding: @pm/health underPressure vs @fastify/under-pressure',
    description: [
      `Machine load average (1 min) at start and end: ${loadBefore.toFixed(1)} / ${loadavg()[0].toFixed(1)} (other work shares the cores; ratios of interleaved rounds are the figures to read).`,
      `Overhead: autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} interleaved rounds on a cheap route, each server in its own process; overhead per request = 1/req/s with the limiter − 1/req/s of the same stack without it (same round), median over rounds.`,
      `Detection: maxEventLoopDelay ${MAX_DELAY_MS} ms on both; ${HEAVY_CLIENTS} keep-alive clients in closed loops on a route that busy-waits ${HEAVY_MS} ms; time from the first of those requests to the first 503; ${TRIALS} trials each, with recovery in between.`,
      "Both sample on an unref'd timer and read a flag per request; ours takes the worst delay of a 100 ms window (plus the sampler's own lateness), theirs the mean of a 1000 ms window by default.",
    ].join('\n'),
    tables: [
      'Per-request overhead in process, without HTTP (the stable figure; limits that cannot trip; 7 interleaved rounds, median):',
      table([
        ['limiter', 'without', 'with', 'overhead per request'],
        [
          '@pm/health underPressure (handler → app)',
          `${inProcess.raw['pm-base'].toFixed(0)} ns`,
          `${inProcess.raw.pm.toFixed(0)} ns`,
          `${inProcess.pm.toFixed(0)} ns`,
        ],
        [
          '@fastify/under-pressure (its onRequest hook alone, a lower bound)',
          `${inProcess.raw['fastify-base'].toFixed(0)} ns`,
          `${inProcess.raw.fastify.toFixed(0)} ns`,
          `${inProcess.fastify.toFixed(0)} ns`,
        ],
      ]),
      'Over HTTP (cheap route; on a busy machine these swing widely, and a limiter that sheds because the machine itself is slow shows non-2xx):',
      table(rows),
      'Time from overload to first 503:',
      table(shedRows),
    ],
    ratioLine: `underPressure costs ${inProcess.pm.toFixed(0)} ns per request in process (@fastify/under-pressure ${inProcess.fastify.toFixed(0)} ns) and sheds ${fmt(ours)} after overload starts vs ${fmt(theirs)} with each library's defaults (${Number.isFinite(detectRatio) ? `${detectRatio.toFixed(1)}× sooner` : 'theirs never shed'}; theirs at a 100 ms window: ${fmt(median(shedding['fastify-100']))}).`,
  });
}

// Dispatch last: the helpers above are initialised by now.
const serveArg = process.argv.find((a) => a.startsWith('--serve='));
if (serveArg) {
  const port = await servers[serveArg.slice('--serve='.length)]();
  process.send({ port });
  process.once('disconnect', () => process.exit(0)); // the bench (parent) ended or crashed: don't linger
} else {
  await main();
}
