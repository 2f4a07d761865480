import type { ResolvedApp } from '../config/resolve.js';
import { appCommand, appEnv, fixedPort, readyResource, relPath } from './app-view.js';
import { lostWhen, restartTuningWithoutRestarts } from './mapping.js';
import { shJoin, shQuote } from './quote.js';
import type { ExportContext, ExportFile, Exporter, MappingRow } from './types.js';

/** How each pm key becomes part of a Procfile line (the procfile guide's table is generated from this). */
export const procfileMapping: readonly MappingRow[] = [
  { key: 'name', field: '<name>:', note: 'One process type per app.' },
  { key: 'script', field: 'exec node <script>', note: 'The node on PATH; the path relative to the app folder.' },
  { key: 'command', field: 'exec <command>', note: 'An array quoted for sh; a string through `/bin/sh -c`.' },
  { key: 'args', field: 'command line', note: 'Appended, quoted.' },
  { key: 'cwd', field: 'cd <folder> &&', note: 'Relative to the Procfile (runners start every line in its folder), after `pm wait`.' },
  { key: 'env', field: '.env, env K=V', note: 'Variables every app sets alike go to `.env`; the rest prefix the app’s line.' },
  {
    key: 'port',
    field: 'env PORT',
    note: "Overrides the runner's own PORT. `'auto'` cannot be picked by a static file: the runner's PORT is used.",
    lost: lostWhen.autoPort,
  },
  {
    key: 'ready.http',
    field: 'pm wait <url> (in dependents)',
    note: "Procfile runners start every line at once, so each dependent's line first runs `pm wait` on this URL.",
  },
  { key: 'ready.tcp', field: 'pm wait tcp:… (in dependents)', note: 'As `ready.http`, on a TCP connect.' },
  {
    key: 'ready.log',
    field: null,
    note: 'A line cannot watch another’s output: dependents wait for its port to accept connections instead, if it has one.',
    lost: lostWhen.logReady,
  },
  { key: 'ready.ipc', field: null, note: 'No IPC channel: dependents wait for its port instead, if it has one.', lost: lostWhen.ipcReady },
  {
    key: 'ready.timeout',
    field: 'pm wait --timeout',
    note: 'A dependent whose dependency is not ready in time exits (and the runner stops the stack).',
  },
  { key: 'ready.interval', field: 'pm wait --interval', note: 'Probe interval.' },
  { key: 'ready.announce', field: null, note: "@pm/health's announcement travels over IPC, which a runner does not give." },
  {
    key: 'dependsOn',
    field: 'pm wait … &&',
    note: 'The line waits for each dependency’s ready probe (or port) before it starts its app.',
    lostNote: 'A dependency without a ready probe or port is not waited for.',
    lost: (app, ctx) => app.dependsOn.some((d) => waitResource(ctx.config.apps.find((a) => a.name === d)!) === null),
  },
  {
    key: 'restart.policy',
    field: null,
    note: 'Procfile runners do not restart: when one process exits they stop them all.',
    lost: (app) => app.restart.policy !== 'never',
  },
  ...restartTuningWithoutRestarts,
  {
    key: 'stop.signal',
    field: null,
    note: 'The runner sends its own signal (SIGTERM for foreman, honcho and overmind).',
    lost: (app) => app.stop.signal !== 'SIGTERM',
  },
  { key: 'stop.timeout', field: null, note: "The runner's own kill timeout applies (foreman: `-t`)." },
  { key: 'health.http', field: null, note: 'Procfile runners have no liveness probe.' },
  { key: 'health.tcp', field: null, note: 'Procfile runners have no liveness probe.' },
  { key: 'health.interval', field: null, note: 'Procfile runners have no liveness probe.' },
  { key: 'health.failures', field: null, note: 'Procfile runners have no liveness probe.' },
  { key: 'health.timeout', field: null, note: 'Procfile runners have no liveness probe.' },
  { key: 'logs.maxSize', field: null, note: 'The runner prints every line, prefixed; it keeps no files.' },
  { key: 'logs.keep', field: null, note: 'The runner keeps no files.' },
  { key: 'maxMemory', field: null, note: 'Procfile runners do not watch memory.' },
];

/** What a dependent waits on: the ready probe, else the app's port. */
function waitResource(app: ResolvedApp): string | null {
  const port = fixedPort(app);
  return readyResource(app) ?? (port === null ? null : `tcp:localhost:${port}`);
}

/** Variables with the same value in every app: they go to `.env`. */
function sharedEnv(apps: ResolvedApp[]): Record<string, string> {
  const [first, ...rest] = apps.map((a) => a.env);
  return Object.fromEntries(Object.entries(first ?? {}).filter(([k, v]) => rest.every((env) => env[k] === v)));
}

function line(ctx: ExportContext, app: ResolvedApp, shared: Record<string, string>): string {
  const byName = new Map(ctx.config.apps.map((a) => [a.name, a]));
  const deps = app.dependsOn.map((d) => byName.get(d)!).filter((d) => waitResource(d) !== null);
  const parts: string[] = [];
  if (deps.length > 0) {
    const timeout = Math.max(...deps.map((d) => d.ready.timeout)) / 1000;
    const interval = Math.min(...deps.map((d) => d.ready.interval));
    parts.push(
      shJoin([...ctx.pm!, 'wait', '--timeout', String(timeout), '--interval', String(interval), ...deps.map((d) => waitResource(d)!)]),
    );
  }
  const cwd = relPath(ctx.outDir, app.cwd);
  if (cwd !== '.') parts.push(`cd ${shQuote(cwd)}`);
  const env = Object.entries(appEnv(app))
    .filter(([k, v]) => shared[k] !== v)
    .map(([k, v]) => `${k}=${v}`);
  const script = app.script === null ? null : relPath(app.cwd, app.script);
  parts.push(`exec ${shJoin([...(env.length > 0 ? ['env', ...env] : []), ...appCommand(app, 'node', script)])}`);
  return `${app.name}: ${parts.join(' && ')}`;
}

/** `pm export procfile`: a `Procfile` (one line per app) and the `.env` the runners load. */
export const procfileExporter: Exporter = {
  target: 'procfile',
  summary: 'a `Procfile` with one line per app (dependents `pm wait` first) and a `.env`',
  defaultDir: '.',
  mapping: procfileMapping,
  render(ctx): ExportFile[] {
    const shared = sharedEnv(ctx.apps);
    const env = Object.entries(shared).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return [
      { path: 'Procfile', content: `${ctx.apps.map((app) => line(ctx, app, shared)).join('\n')}\n` },
      {
        path: '.env',
        content: `# Written by \`pm export procfile\` from ${ctx.configName}: variables every app sets alike (the Procfile sets the rest).\n${env.map((e) => `${e}\n`).join('')}`,
      },
    ];
  },
  next: () => 'Run it with a Procfile runner, e.g.: npx foreman start (or honcho start, overmind start)',
};
