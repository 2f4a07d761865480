// Question: under steady load, does SIGTERM make any in-flight request fail, and how long after the
// last in-flight response does the process exit? @pm/health vs close-with-grace + server.close,
// http-terminator and terminus.
//
// Each server runs in its own child process (this file with --serve=<name>): a node:http app whose
// requests take 20 ms. This process keeps 100 keep-alive connections busy (one request at a time
// each), sends SIGTERM after a second, and classifies every request:
//   ok       2xx response received;
//   refused  ECONNREFUSED on connect: the server had stopped accepting, the request never reached it
//            (what a load balancer that saw /readyz 503 routes elsewhere) — not an in-flight failure;
//   failed   anything else: reset, hang-up or non-2xx on a request that reached the server.
// autocannon can't tell "refused" from "reset", so this file drives the load with node:http itself.
import { fork } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median, ms, report, table } from './lib/report.mjs';

const ROUNDS = 3;
const CONNECTIONS = 100;
const LOAD_BEFORE_SIGNAL_MS = 1000;
const WORK_MS = 20;
/** The same shutdown budget for every peer. */
const BUDGET_MS = 3000;
/** The drain delay of the `pm-drain` row: load keeps coming (on new connections) during and after it. */
const DRAIN_DELAY_MS = 500;

const app = () =>
  createServer((req, res) => {
    setTimeout(() => res.end('ok'), WORK_MS);
  });

const servers = {
  async pm() {
    const { createShutdown } = await import('@pm/health');
    const server = app();
    createShutdown({ servers: [server], timeout: BUDGET_MS, drainDelay: 0 });
    return listen(server);
  },
  // With a drain delay every response says `Connection: close`, so clients reconnect for each request:
  // the listener sees a steady stream of new connections when it closes after the delay.
  async 'pm-drain'() {
    const { createShutdown } = await import('@pm/health');
    const server = app();
    createShutdown({ servers: [server], timeout: BUDGET_MS, drainDelay: DRAIN_DELAY_MS });
    return listen(server);
  },
  async 'close-with-grace'() {
    const closeWithGrace = (await import('close-with-grace')).default;
    const server = app();
    closeWithGrace({ delay: BUDGET_MS, logger: false }, async () => {
      await new Promise((resolve) => server.close(resolve));
    });
    return listen(server);
  },
  async 'http-terminator'() {
    const { createHttpTerminator } = await import('http-terminator');
    const server = app();
    const terminator = createHttpTerminator({ server, gracefulTerminationTimeout: BUDGET_MS });
    process.once('SIGTERM', async () => {
      await terminator.terminate();
      process.exit(0);
    });
    return listen(server);
  },
  async terminus() {
    const { createTerminus } = await import('@godaddy/terminus');
    const server = app();
    createTerminus(server, { signals: ['SIGTERM'], timeout: BUDGET_MS, useExit0: true });
    return listen(server);
  },
};

function listen(server) {
  server.keepAliveTimeout = 60_000;
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

/** One request; resolves with its outcome, never rejects. */
function send(port, agent) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve(res.statusCode >= 200 && res.statusCode < 300 ? { kind: 'ok' } : { kind: 'failed', why: `HTTP ${res.statusCode}` }),
      );
      res.on('error', (error) => resolve({ kind: 'failed', why: error.code ?? error.message }));
    });
    req.on('error', (error) =>
      resolve(error.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'failed', why: error.code ?? error.message }),
    );
    req.end();
  });
}

async function runOnce(name) {
  const { child, port } = await startServer(name);
  const stats = {
    ok: 0,
    refused: 0,
    failed: 0,
    failedInFlight: 0,
    failures: {},
    lastOkAt: 0,
    inFlight: 0,
    inFlightAtSignal: 0,
    afterSignalOk: 0,
  };
  let signalAt = Infinity;
  let exitAt = Infinity;
  let exitCode;
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exitAt = performance.now();
      exitCode = code ?? signal;
      resolve();
    }),
  );
  let stop = false;
  const agents = [];

  const client = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    while (!stop) {
      stats.inFlight++;
      const sentAt = performance.now();
      const outcome = await send(port, agent);
      stats.inFlight--;
      if (outcome.kind === 'ok') {
        stats.ok++;
        stats.lastOkAt = performance.now();
        if (stats.lastOkAt > signalAt) stats.afterSignalOk++;
      } else if (outcome.kind === 'refused') {
        stats.refused++;
        return; // the server is gone for good: this client stops, as a client behind a load balancer would move on
      } else {
        stats.failed++;
        if (sentAt < signalAt) stats.failedInFlight++;
        stats.failures[outcome.why] = (stats.failures[outcome.why] ?? 0) + 1;
      }
    }
  };
  const clients = Array.from({ length: CONNECTIONS }, client);
  await new Promise((r) => setTimeout(r, LOAD_BEFORE_SIGNAL_MS));
  stats.inFlightAtSignal = stats.inFlight;
  signalAt = performance.now();
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, BUDGET_MS + 3000))]);
  // Give the clients a moment to observe the exit, then stop the stragglers.
  await new Promise((r) => setTimeout(r, 100));
  stop = true;
  if (exitAt === Infinity) child.kill('SIGKILL');
  await Promise.race([Promise.all(clients), new Promise((r) => setTimeout(r, 2000))]);
  for (const agent of agents) agent.destroy();
  await exited;
  return {
    ...stats,
    exitCode,
    signalToExit: exitAt - signalAt,
    lastResponseToExit: stats.lastOkAt > signalAt ? exitAt - stats.lastOkAt : NaN,
  };
}

async function main() {
  const onlyArg = process.argv.find((a) => a.startsWith('--only='));
  const names = ['pm', 'pm-drain', 'close-with-grace', 'http-terminator', 'terminus'].filter(
    (n) => !onlyArg || onlyArg.slice('--only='.length).split(',').includes(n),
  );
  const labels = {
    pm: '@pm/health',
    'pm-drain': `@pm/health, drainDelay ${DRAIN_DELAY_MS} ms`,
    'close-with-grace': 'close-with-grace + server.close',
    'http-terminator': 'http-terminator',
    terminus: '@godaddy/terminus',
  };
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      const r = await runOnce(name);
      runs[name].push(r);
      process.stderr.write(
        `round ${round + 1} ${name}: ok ${r.ok}, failed ${r.failed} ${JSON.stringify(r.failures)} (${r.failedInFlight} sent before SIGTERM), refused ${r.refused}, in flight at SIGTERM ${r.inFlightAtSignal}, ` +
          `exit ${r.exitCode} after ${r.signalToExit.toFixed(1)} ms, ${r.lastResponseToExit.toFixed(1)} ms after the last response\n`,
      );
    }
  }
  const sum = (n, k) => runs[n].reduce((a, r) => a + r[k], 0);
  const failures = (n) => {
    const all = {};
    for (const r of runs[n]) for (const [k, v] of Object.entries(r.failures)) all[k] = (all[k] ?? 0) + v;
    return (
      Object.entries(all)
        .map(([k, v]) => `${k} ×${v}`)
        .join(', ') || '—'
    );
  };
  const rows = [
    [
      'shutdown',
      'failed: in flight at SIGTERM',
      'failed: sent after SIGTERM',
      'kinds',
      'refused after close',
      'in flight at SIGTERM (median)',
      'SIGTERM → exit (median)',
      'last response → exit (median)',
      'exit codes',
    ],
    ...names.map((n) => [
      labels[n],
      String(sum(n, 'failedInFlight')),
      String(sum(n, 'failed') - sum(n, 'failedInFlight')),
      failures(n),
      String(sum(n, 'refused')),
      String(median(runs[n].map((r) => r.inFlightAtSignal))),
      ms(median(runs[n].map((r) => r.signalToExit))),
      ms(median(runs[n].map((r) => r.lastResponseToExit))),
      runs[n].map((r) => r.exitCode).join(' / '),
    ]),
  ];
  if (onlyArg) return; // a partial run (--only=) prints its rows on stderr and leaves results/ alone
  const pmFailed = sum('pm', 'failed');
  const pmFailedInFlight = sum('pm', 'failedInFlight');
  const pmLatency = median(runs.pm.map((r) => r.lastResponseToExit));
  const best = names
    .filter((n) => n !== 'pm' && n !== 'pm-drain')
    .map((n) => ({
      n,
      failed: sum(n, 'failed'),
      failedInFlight: sum(n, 'failedInFlight'),
      latency: median(runs[n].map((r) => r.lastResponseToExit)),
    }));
  report('shutdown', {
    title: 'Shutdown under load: failed requests and exit latency',
    description: [
      `${CONNECTIONS} keep-alive connections of steady load (one request at a time each, ${WORK_MS} ms per request), SIGTERM after ${LOAD_BEFORE_SIGNAL_MS} ms; ${ROUNDS} interleaved rounds per peer;`,
      `every peer gets the same ${BUDGET_MS} ms shutdown budget and no drain delay, except the "drainDelay" row: @pm/health again with a ${DRAIN_DELAY_MS} ms drain delay,`,
      'during which every response says `Connection: close`, so clients open a new connection per request until the listener closes.',
      '"failed" = reset, hang-up or non-2xx on a request that reached the server;',
      '"refused" = ECONNREFUSED on a new connection after the server stopped accepting (the request never reached it; clients then stop).',
      'A request "sent after SIGTERM" failing is the keep-alive race: the server answered the previous request without `Connection: close`',
      'and then closed the socket while the client was already sending its next request on it. All counts are summed over the rounds.',
      '"last response → exit" is from the last 2xx response the clients received to the process exit.',
    ].join('\n'),
    tables: [table(rows)],
    ratioLine:
      `@pm/health: ${pmFailedInFlight} failed in-flight requests (${pmFailed} failed in all) in ${ROUNDS} rounds (target 0), exit ${ms(pmLatency)} after the last in-flight response (target ≤ 100 ms); ` +
      `with drainDelay ${DRAIN_DELAY_MS} ms: ${sum('pm-drain', 'failed')} failed in all (connections reset in the accept queue when the listener closes); ` +
      best.map((b) => `${labels[b.n]}: ${b.failedInFlight} in-flight / ${b.failed} in all failed, ${ms(b.latency)}`).join('; ') +
      '.',
  });
}
