// Question: how fast is @pm/health's /health endpoint next to a bare node:http handler returning the
// same JSON (the floor), @godaddy/terminus and lightship?
//
// Each server runs alone in its own child process (this file, started with --serve=<name>) so the
// load generator (autocannon, in this process) and the server each get a core of their own. Peers
// are measured in interleaved rounds, so a slow minute on the machine hits all of them alike.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, report, table } from './lib/report.mjs';

const ROUNDS = 9;
const DURATION_S = 1;
const PROBE_DURATION_S = 0.5;
const WARMUP_S = 0.5;
/** Path of each server's fixed-body readiness probe. */
const READY_PATH = { floor: '/readyz', pm: '/readyz', terminus: '/readyz', lightship: '/ready' };
const READY_BODY = JSON.stringify({ status: 'healthy' });
const CONNECTIONS = 50;

const servers = {
  // What you would write by hand: build the same report fields per request and stringify them.
  async floor() {
    const startedAt = new Date(Date.now() - process.uptime() * 1000).toISOString();
    const server = createServer((req, res) => {
      if (req.url === '/readyz') {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.setHeader('cache-control', 'no-store');
        res.end(READY_BODY);
        return;
      }
      if (req.url !== '/health') {
        res.statusCode = 404;
        res.end();
        return;
      }
      const mem = process.memoryUsage();
      const body = JSON.stringify({
        status: 'healthy',
        timestamp: new Date().toISOString(),
        pid: process.pid,
        uptime: process.uptime(),
        memoryUsage: { heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, rss: mem.rss },
        startedAt,
        checks: {},
      });
      // setHeader + end(body): node adds Content-Length itself (writeHead without it would go chunked).
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.end(body);
    });
    return listen(server);
  },

  // As an app would mount it: the handler as the request listener, graceful shutdown installed
  // (which adds its own request listener to track in-flight responses).
  async pm() {
    const { createHealth, createShutdown } = await import('@pm/health');
    const health = createHealth();
    const server = createServer(health.handler);
    createShutdown({ servers: [server] });
    health.setReady();
    return listen(server);
  },

  // terminus answers its health paths from a wrapper around the server's request listeners.
  async terminus() {
    const { createTerminus } = await import('@godaddy/terminus');
    const startedAt = new Date(Date.now() - process.uptime() * 1000).toISOString();
    const server = createServer((req, res) => res.end('app'));
    createTerminus(server, {
      healthChecks: {
        '/health': async () => {
          const mem = process.memoryUsage();
          return {
            timestamp: new Date().toISOString(),
            pid: process.pid,
            uptime: process.uptime(),
            memoryUsage: { heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, rss: mem.rss },
            startedAt,
          };
        },
        '/readyz': async () => {},
      },
    });
    return listen(server);
  },

  // lightship serves its probes from its own fastify server; its /health body is a fixed string.
  async lightship() {
    const { createLightship } = (await import('lightship')).default;
    const lightship = await createLightship({ detectKubernetes: false, port: 0 });
    lightship.signalReady();
    return lightship.server.address().port;
  },
};

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

const serveArg = process.argv.find((a) => a.startsWith('--serve='));
if (serveArg) {
  const port = await servers[serveArg.slice('--serve='.length)]();
  process.send({ port });
} else {
  await main();
}

function startServer(name) {
  const child = fork(fileURLToPath(import.meta.url), [`--serve=${name}`], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', ({ port }) => resolve({ child, port }));
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });
}

function load(port, duration, path = '/health') {
  return autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: CONNECTIONS, duration, pipelining: 1 });
}

async function main() {
  const names = ['floor', 'pm', 'terminus', 'lightship'];
  const labels = { floor: 'bare node:http (floor)', pm: '@pm/health', terminus: '@godaddy/terminus', lightship: 'lightship' };
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  const probes = Object.fromEntries(names.map((n) => [n, []]));
  // Every server is started once and idles while another is measured (an idle server costs no CPU).
  // Short runs cycling through the peers keep each comparison close in time, so the machine's drifting
  // load (other work shares the cores) hits all peers alike.
  const started = {};
  for (const name of names) {
    started[name] = await startServer(name);
    await load(started[name].port, WARMUP_S);
    await load(started[name].port, WARMUP_S, READY_PATH[name]);
  }
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no peer always runs first or last.
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      const { port } = started[name];
      const r = await load(port, DURATION_S);
      const errors = r.errors + r.timeouts + r.non2xx;
      runs[name].push({ rps: r.requests.average, p99: r.latency.p99, p50: r.latency.p50, errors });
      const p = await load(port, PROBE_DURATION_S, READY_PATH[name]);
      probes[name].push({ rps: p.requests.average, p99: p.latency.p99, p50: p.latency.p50, errors: p.errors + p.timeouts + p.non2xx });
      process.stderr.write(
        `round ${round + 1} ${name}: /health ${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms, errors ${errors}; readiness ${p.requests.average.toFixed(0)} req/s\n`,
      );
    }
  }
  for (const { child } of Object.values(started)) {
    child.kill('SIGKILL');
    await new Promise((r2) => child.once('exit', r2));
  }

  // The machine's load drifts between rounds (other work shares the cores), so each peer is compared
  // with the floor measured in the same round, and the median of those ratios is the answer.
  const ratio = (n, of = 'floor', set = runs) => median(set[n].map((x, i) => x.rps / set[of][i].rps));
  const summary = Object.fromEntries(
    names.map((n) => [
      n,
      {
        rps: median(runs[n].map((x) => x.rps)),
        p50: median(runs[n].map((x) => x.p50)),
        p99: median(runs[n].map((x) => x.p99)),
        errors: runs[n].reduce((a, x) => a + x.errors, 0),
      },
    ]),
  );
  const rows = [
    ['server', 'req/s (median)', 'vs floor (median of per-round ratios)', 'p50', 'p99 (median)', 'errors', 'req/s range over rounds'],
    ...names.map((n) => [
      labels[n],
      summary[n].rps.toFixed(0),
      `${(ratio(n) * 100).toFixed(1)}%`,
      `${summary[n].p50} ms`,
      `${summary[n].p99} ms`,
      String(summary[n].errors),
      `${Math.min(...runs[n].map((x) => x.rps)).toFixed(0)}–${Math.max(...runs[n].map((x) => x.rps)).toFixed(0)}`,
    ]),
  ];
  const probeRows = [
    ['server (path)', 'req/s (median)', 'vs floor (median of per-round ratios)', 'p50', 'p99 (median)', 'errors'],
    ...names.map((n) => [
      `${labels[n]} (${READY_PATH[n]})`,
      median(probes[n].map((x) => x.rps)).toFixed(0),
      `${(ratio(n, 'floor', probes) * 100).toFixed(1)}%`,
      `${median(probes[n].map((x) => x.p50))} ms`,
      `${median(probes[n].map((x) => x.p99))} ms`,
      String(probes[n].reduce((a, x) => a + x.errors, 0)),
    ]),
  ];
  const pmRatio = ratio('pm');
  const vsTerminus = ratio('pm', 'terminus');
  const vsLightship = ratio('pm', 'lightship');
  const ahead = vsTerminus > 1 && vsLightship > 1;
  report('health', {
    title: '/health throughput: @pm/health vs bare node:http, terminus, lightship',
    description: [
      `autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} rounds cycling through the peers (each warmed up first); each server in its own process, idle while another is measured.`,
      'The floor builds the same report fields per request and JSON.stringifies them. @pm/health runs with no checks and with createShutdown installed on the server;',
      'it reuses a report within the millisecond it was made (its timestamp resolution), so the memory sample and serialisation are not paid per request under a burst.',
      'terminus returns the same fields from its healthChecks function (wrapped in its own `{status, info, details}` body); lightship 7.2.0 answers from its own fastify server with a fixed text body',
      "(7.3.0, the latest lightship 7, was published without its dist/ and cannot be imported). Latencies are autocannon's, at 1 ms resolution.",
    ].join('\n'),
    tables: [
      '`/health` (full report):',
      table(rows),
      `Readiness probe (fixed body; the floor answers \`${READY_BODY}\`, terminus runs an empty health check, lightship answers its fixed text), ${PROBE_DURATION_S} s per run right after each /health run:`,
      table(probeRows),
    ],
    ratioLine: `/health: @pm/health serves ${(pmRatio * 100).toFixed(1)}% of the bare floor's req/s (target ≥ 90%), ${vsTerminus.toFixed(2)}× terminus and ${vsLightship.toFixed(2)}× lightship${ahead ? '' : ' (NOT ahead of both peers)'}; readiness probe: ${(ratio('pm', 'floor', probes) * 100).toFixed(1)}% of the floor, ${ratio('pm', 'terminus', probes).toFixed(2)}× terminus, ${ratio('pm', 'lightship', probes).toFixed(2)}× lightship.`,
  });
}
