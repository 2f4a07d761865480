import { configDefaults } from '../config/defaults.js';
import type { ResolvedApp } from '../config/resolve.js';
import { appEnv, relPath } from './app-view.js';
import { lostWhen } from './mapping.js';
import type { ExportContext, ExportFile, Exporter, MappingRow } from './types.js';

/** PM2's fixed cap of `exp_backoff_restart_delay`, in ms. */
const PM2_BACKOFF_MAX = 15_000;

/** How each pm key becomes a PM2 ecosystem field (the pm2 guide's table is generated from this). */
export const pm2Mapping: readonly MappingRow[] = [
  { key: 'name', field: 'name', note: 'As is.' },
  { key: 'script', field: 'script', note: 'Absolute at load time (`path.join(__dirname, …)`), so the file works from any folder.' },
  {
    key: 'command',
    field: "script, args, interpreter: 'none'",
    note: "An array's first word is the script; a string runs as `/bin/sh -c`.",
  },
  { key: 'args', field: 'args', note: 'An array (PM2 would split a string on blanks).' },
  { key: 'cwd', field: 'cwd', note: 'Absolute at load time.' },
  { key: 'env', field: 'env', note: 'As is.' },
  { key: 'port', field: 'env.PORT', note: "`'auto'` cannot be picked by a static file: set a port.", lost: lostWhen.autoPort },
  {
    key: 'ready.http',
    field: null,
    note: 'PM2 cannot probe a URL: the app counts as online once started.',
    lost: (app) => app.ready.kind === 'http',
  },
  {
    key: 'ready.tcp',
    field: null,
    note: 'PM2 cannot probe a port: the app counts as online once started.',
    lost: (app) => app.ready.kind === 'tcp',
  },
  { key: 'ready.log', field: null, note: 'PM2 cannot wait for a log line.', lost: lostWhen.logReady },
  { key: 'ready.ipc', field: 'wait_ready', note: "PM2 waits for `process.send('ready')`, which pm's IPC readiness also accepts." },
  { key: 'ready.timeout', field: 'listen_timeout', note: 'How long PM2 waits for the ready message (with `ready.ipc`).' },
  { key: 'ready.interval', field: null, note: 'PM2 does not probe.' },
  { key: 'ready.announce', field: null, note: "PM2 does not listen for @pm/health's announcement." },
  {
    key: 'dependsOn',
    field: null,
    note: 'PM2 starts apps in file order (written in dependency order) without waiting for readiness.',
    lost: (app) => app.dependsOn.length > 0,
  },
  {
    key: 'restart.policy',
    field: 'autorestart, stop_exit_codes',
    note: '`never` → `autorestart: false`; `on-failure` → `stop_exit_codes: [0]` (a clean exit is not restarted).',
  },
  { key: 'restart.maxRestarts', field: 'max_restarts', note: 'Unstable restarts in a row before PM2 gives up.' },
  { key: 'restart.window', field: null, note: 'PM2 counts unstable restarts in a row, not in a window.' },
  { key: 'restart.minUptime', field: 'min_uptime', note: 'A shorter run is an unstable restart.' },
  { key: 'restart.backoff.initial', field: 'exp_backoff_restart_delay', note: 'First delay; PM2 doubles it up to 15 s.' },
  {
    key: 'restart.backoff.max',
    field: null,
    note: 'PM2 caps the delay at 15 s.',
    lost: (app) => app.restart.backoff.max !== PM2_BACKOFF_MAX && app.restart.backoff.max !== configDefaults.app.restart.backoff.max,
  },
  {
    key: 'stop.signal',
    field: null,
    note: 'PM2 sends SIGINT (`PM2_KILL_SIGNAL` changes it for the whole daemon).',
    lost: (app) => app.stop.signal !== 'SIGINT',
  },
  { key: 'stop.timeout', field: 'kill_timeout', note: 'Then SIGKILL.' },
  { key: 'health.http', field: null, note: 'PM2 has no liveness probe.' },
  { key: 'health.tcp', field: null, note: 'PM2 has no liveness probe.' },
  { key: 'health.interval', field: null, note: 'PM2 has no liveness probe.' },
  { key: 'health.failures', field: null, note: 'PM2 has no liveness probe.' },
  { key: 'health.timeout', field: null, note: 'PM2 has no liveness probe.' },
  { key: 'logs.maxSize', field: null, note: 'Rotation is the pm2-logrotate module’s, for all apps (`pm2 set pm2-logrotate:max_size`).' },
  { key: 'logs.keep', field: null, note: 'Rotation is the pm2-logrotate module’s (`pm2-logrotate:retain`).' },
  { key: 'maxMemory', field: 'max_memory_restart', note: 'In K, M or G.' },
];

const memory = (bytes: number): string => (bytes % 1048576 === 0 ? `${bytes / 1048576}M` : `${Math.ceil(bytes / 1024)}K`);
const at = (ctx: ExportContext, path: string): string => `path.join(__dirname, ${JSON.stringify(relPath(ctx.outDir, path))})`;

function appEntry(ctx: ExportContext, app: ResolvedApp): string {
  const fields: [string, string][] = [['name', JSON.stringify(app.name)]];
  if (app.script !== null) {
    fields.push(['script', at(ctx, app.script)]);
    if (app.args.length > 0) fields.push(['args', JSON.stringify(app.args)]);
  } else if (typeof app.command === 'string') {
    fields.push(['script', JSON.stringify('/bin/sh')], ['args', JSON.stringify(['-c', app.command])], ['interpreter', "'none'"]);
  } else {
    const [program, ...rest] = app.command!;
    fields.push(['script', JSON.stringify(program)], ['args', JSON.stringify([...rest, ...app.args])], ['interpreter', "'none'"]);
  }
  fields.push(['cwd', at(ctx, app.cwd)]);
  const env = appEnv(app);
  if (Object.keys(env).length > 0) fields.push(['env', JSON.stringify(env)]);
  fields.push(['autorestart', String(app.restart.policy !== 'never')]);
  if (app.restart.policy === 'on-failure') fields.push(['stop_exit_codes', '[0]']);
  fields.push(
    ['max_restarts', String(app.restart.maxRestarts)],
    ['min_uptime', String(app.restart.minUptime)],
    ['exp_backoff_restart_delay', String(app.restart.backoff.initial)],
    ['kill_timeout', String(app.stop.timeout)],
  );
  if (app.ready.kind === 'ipc') fields.push(['wait_ready', 'true'], ['listen_timeout', String(app.ready.timeout)]);
  if (app.maxMemory !== null) fields.push(['max_memory_restart', JSON.stringify(memory(app.maxMemory))]);
  return `    {\n${fields.map(([k, v]) => `      ${k}: ${v},`).join('\n')}\n    },`;
}

/** `pm export pm2`: an `ecosystem.config.cjs` for teams that keep PM2 somewhere. */
export const pm2Exporter: Exporter = {
  target: 'pm2',
  summary: 'an `ecosystem.config.cjs` with one entry per app, in dependency order',
  defaultDir: '.',
  mapping: pm2Mapping,
  render: (ctx): ExportFile[] => [
    {
      path: 'ecosystem.config.cjs',
      content: `// Written by \`pm export pm2\` from ${ctx.configName}: change the config and export again rather than editing.
const path = require('node:path');

module.exports = {
  apps: [
${ctx.apps.map((app) => appEntry(ctx, app)).join('\n')}
  ],
};
`,
    },
  ],
  next: (outDir) => `Start it with: pm2 start ${outDir}/ecosystem.config.cjs`,
};
