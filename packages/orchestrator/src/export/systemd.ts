import type { ResolvedApp } from '../config/resolve.js';
import { appCommand, appEnv, duration, readyResource } from './app-view.js';
import { lostWhen } from './mapping.js';
import { systemdEnv, systemdJoin } from './quote.js';
import type { ExportContext, ExportFile, Exporter, MappingRow } from './types.js';

/** How each pm key becomes a systemd directive (the systemd guide's table is generated from this). */
export const systemdMapping: readonly MappingRow[] = [
  { key: 'name', field: '<project>-<name>.service', note: 'One unit per app, all grouped by `<project>.target`.' },
  { key: 'script', field: 'ExecStart=', note: 'Run with the absolute path of the node that ran `pm export`.' },
  { key: 'command', field: 'ExecStart=', note: 'An array as is; a string through `/bin/sh -c`, as pm runs it.' },
  { key: 'args', field: 'ExecStart=', note: 'Appended to the command line, quoted for systemd (`%` and `$` doubled).' },
  { key: 'cwd', field: 'WorkingDirectory=', note: 'Absolute.' },
  { key: 'env', field: 'Environment=', note: 'One quoted assignment per variable.' },
  {
    key: 'port',
    field: 'Environment="PORT=…"',
    note: "A fixed port is passed as `PORT`; `'auto'` cannot be: pick a port, since a unit file is static.",
    lost: lostWhen.autoPort,
  },
  {
    key: 'ready.http',
    field: 'ExecStartPost=pm wait <url>',
    note: 'Node cannot signal `Type=notify` without a native module, so the unit counts as started (and `After=` dependents start) once `pm wait` sees the URL answer.',
  },
  { key: 'ready.tcp', field: 'ExecStartPost=pm wait tcp:<host>:<port>', note: 'As `ready.http`, on a TCP connect.' },
  {
    key: 'ready.log',
    field: null,
    note: 'systemd cannot wait for a log line: the unit is started once the process runs.',
    lost: lostWhen.logReady,
  },
  {
    key: 'ready.ipc',
    field: null,
    note: 'systemd has no IPC channel to a unit: the unit is started once the process runs.',
    lost: lostWhen.ipcReady,
  },
  {
    key: 'ready.timeout',
    field: 'TimeoutStartSec=, pm wait --timeout',
    note: '`pm wait` gives up after the timeout; systemd gets 5 s more.',
  },
  { key: 'ready.interval', field: 'pm wait --interval', note: 'Probe interval of `pm wait`.' },
  {
    key: 'ready.announce',
    field: null,
    note: "@pm/health's announcement travels over IPC, which systemd does not give: started once the process runs.",
  },
  {
    key: 'dependsOn',
    field: 'After=, Requires=',
    note: 'Started after (and stopped with) each dependency unit, which counts as started once its ready probe passes.',
    lostNote: 'A dependency without an http/tcp ready probe counts as started as soon as its process runs.',
    lost: lostWhen.unprobedDependency,
  },
  { key: 'restart.policy', field: 'Restart=', note: '`on-failure` → `on-failure`, `always` → `always`, `never` → `no`.' },
  { key: 'restart.maxRestarts', field: 'StartLimitBurst=', note: 'maxRestarts + 1 starts (the first start counts too).' },
  { key: 'restart.window', field: 'StartLimitIntervalSec=', note: 'The window the starts are counted in.' },
  { key: 'restart.minUptime', field: null, note: 'systemd counts every start toward `StartLimitBurst=`, long runs included.' },
  { key: 'restart.backoff.initial', field: 'RestartSec=', note: 'The delay before every restart.' },
  {
    key: 'restart.backoff.max',
    field: null,
    note: 'The delay does not grow: `RestartSteps=`/`RestartMaxDelaySec=` need systemd 254 or later; add them by hand there.',
  },
  {
    key: 'stop.signal',
    field: 'KillSignal=',
    note: 'Sent to the main process; `KillMode=control-group` (the default) ends the whole tree as pm does.',
  },
  { key: 'stop.timeout', field: 'TimeoutStopSec=', note: 'Then SIGKILL to every process of the unit.' },
  { key: 'health.http', field: null, note: 'systemd has no HTTP liveness probe (`WatchdogSec=` needs sd_notify from the app).' },
  { key: 'health.tcp', field: null, note: 'systemd has no TCP liveness probe.' },
  { key: 'health.interval', field: null, note: 'No liveness probe (see `health.http`).' },
  { key: 'health.failures', field: null, note: 'No liveness probe (see `health.http`).' },
  { key: 'health.timeout', field: null, note: 'No liveness probe (see `health.http`).' },
  { key: 'logs.maxSize', field: null, note: 'Output goes to the journal; its size is set in journald.conf (`SystemMaxUse=`).' },
  { key: 'logs.keep', field: null, note: 'Output goes to the journal, which rotates by itself.' },
  { key: 'maxMemory', field: 'MemoryMax=', note: 'The kernel ends the unit above it, and `Restart=` applies.' },
];

/** The unit name of an app. */
export const unitName = (ctx: ExportContext, app: string): string => `${ctx.project}-${app}.service`;

const policy = { 'on-failure': 'on-failure', always: 'always', never: 'no' } as const;

function serviceUnit(ctx: ExportContext, app: ResolvedApp): string {
  const deps = app.dependsOn.map((d) => unitName(ctx, d));
  const pm = ctx.pm!;
  const ready = readyResource(app);
  const unit = [
    '[Unit]',
    `Description=${app.name} (pm app of ${ctx.project})`,
    `PartOf=${ctx.project}.target`,
    ...(deps.length > 0 ? [`After=${deps.join(' ')}`, `Requires=${deps.join(' ')}`] : []),
    `StartLimitIntervalSec=${duration(app.restart.window)}`,
    `StartLimitBurst=${app.restart.maxRestarts + 1}`,
    '',
    '[Service]',
    'Type=exec',
    `WorkingDirectory=${app.cwd}`,
    ...Object.entries(appEnv(app)).map(([k, v]) => `Environment=${systemdEnv(k, v)}`),
    `ExecStart=${systemdJoin(appCommand(app, ctx.nodePath))}`,
  ];
  if (ready !== null) {
    const wait = [...pm, 'wait', '--timeout', String(app.ready.timeout / 1000), '--interval', String(app.ready.interval), ready];
    unit.push(`ExecStartPost=${systemdJoin(wait)}`, `TimeoutStartSec=${duration(app.ready.timeout + 5000)}`);
  }
  unit.push(
    `Restart=${policy[app.restart.policy]}`,
    `RestartSec=${duration(app.restart.backoff.initial)}`,
    `KillSignal=${app.stop.signal}`,
    `TimeoutStopSec=${duration(app.stop.timeout)}`,
  );
  if (app.maxMemory !== null) unit.push(`MemoryMax=${app.maxMemory}`);
  unit.push('', '[Install]', `WantedBy=${ctx.project}.target`);
  return unit.join('\n');
}

function groupTarget(ctx: ExportContext): string {
  return [
    '[Unit]',
    `Description=${ctx.project} (pm apps: ${ctx.apps.map((a) => a.name).join(', ')})`,
    `Wants=${ctx.apps.map((a) => unitName(ctx, a.name)).join(' ')}`,
    '',
    '[Install]',
    `WantedBy=${ctx.system ? 'multi-user.target' : 'default.target'}`,
  ].join('\n');
}

/** `pm export systemd`: one service per app and a target grouping them. */
export const systemdExporter: Exporter = {
  target: 'systemd',
  summary: 'one `<project>-<app>.service` per app and a `<project>.target` that starts them all',
  defaultDir: 'systemd',
  mapping: systemdMapping,
  render(ctx): ExportFile[] {
    const header = (what: string) =>
      `# ${what}, written by \`pm export systemd\` from ${ctx.configName}: change the config and export again rather than editing.\n`;
    return [
      ...ctx.apps.map((app) => ({ path: unitName(ctx, app.name), content: `${header(`App ${app.name}`)}${serviceUnit(ctx, app)}\n` })),
      { path: `${ctx.project}.target`, content: `${header('All apps')}${groupTarget(ctx)}\n` },
    ];
  },
};
