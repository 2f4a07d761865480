import { Scalar, stringify } from 'yaml';
import type { ResolvedApp } from '../config/resolve.js';
import { appCommand, appEnv, duration, healthResource, readyResource, relPath, toServiceHosts } from './app-view.js';
import { containerPort, imageOf, inContainer, nodeProbeScript, projectRoot, serviceHosts } from './container.js';
import { lostWhen, sets } from './mapping.js';
import type { ExportContext, ExportFile, Exporter, MappingRow } from './types.js';

/** How each pm key becomes a Compose service field (the compose guide's table is generated from this). */
export const composeMapping: readonly MappingRow[] = [
  { key: 'name', field: 'services.<name>', note: 'One service per app.' },
  {
    key: 'script',
    field: 'command: [node, <script>], image',
    note: 'Image `node:<major>-slim` (the major of the node that exported) unless `--image`; the project folder is mounted at `/app`.',
  },
  { key: 'command', field: 'command', note: 'An array as is, a string as `[/bin/sh, -c, …]`; needs `--image`.' },
  { key: 'args', field: 'command', note: 'Appended to the command.' },
  { key: 'cwd', field: 'working_dir', note: 'The same folder under `/app`.' },
  { key: 'env', field: 'environment', note: '`localhost:<port>` / `127.0.0.1:<port>` of another app becomes `<service>:<port>`.' },
  {
    key: 'port',
    field: 'environment.PORT, ports',
    note: "Published on 127.0.0.1 only. `'auto'` listens on 8080 in the container, not published.",
    lost: lostWhen.autoPort,
  },
  {
    key: 'ready.http',
    field: 'healthcheck.test',
    note: 'A `node -e` fetch (slim images have no curl); dependents wait for `service_healthy`.',
  },
  { key: 'ready.tcp', field: 'healthcheck.test', note: 'A `node -e` TCP connect.' },
  {
    key: 'ready.log',
    field: null,
    note: 'Compose cannot wait for a log line: dependents only wait for the container to start.',
    lost: lostWhen.logReady,
  },
  { key: 'ready.ipc', field: null, note: 'No IPC channel to a container: dependents only wait for it to start.', lost: lostWhen.ipcReady },
  { key: 'ready.timeout', field: 'healthcheck.start_period', note: 'Failed checks do not count during it.' },
  {
    key: 'ready.interval',
    field: 'healthcheck.start_interval',
    note: 'Check interval during the start period (Docker Engine 25 or later).',
  },
  { key: 'ready.announce', field: null, note: "@pm/health's announcement travels over IPC, which a container does not give." },
  {
    key: 'dependsOn',
    field: 'depends_on.<dep>.condition',
    note: '`service_healthy` when the dependency has a ready probe, else `service_started`.',
    lostNote: 'A dependency without an http/tcp ready probe is only waited for until it starts.',
    lost: lostWhen.unprobedDependency,
  },
  { key: 'restart.policy', field: 'restart', note: '`on-failure` → `on-failure`, `always` → `always`, `never` → `"no"`.' },
  { key: 'restart.maxRestarts', field: null, note: 'Docker restarts without a windowed limit (doubling its delay from 100 ms).' },
  { key: 'restart.window', field: null, note: 'Docker has no restart window.' },
  { key: 'restart.minUptime', field: null, note: 'Docker resets its delay after 10 s of uptime; not settable.' },
  { key: 'restart.backoff.initial', field: null, note: "Docker's restart delay is fixed (100 ms, doubling)." },
  { key: 'restart.backoff.max', field: null, note: "Docker's restart delay is fixed (100 ms, doubling)." },
  { key: 'stop.signal', field: 'stop_signal', note: 'Sent to the container’s main process.' },
  { key: 'stop.timeout', field: 'stop_grace_period', note: 'Then SIGKILL.' },
  {
    key: 'health.http',
    field: 'healthcheck.interval, timeout, retries',
    note: 'The healthcheck probes the ready URL (so dependents gate on readiness) with the liveness timing; Docker marks an unhealthy container but does not restart it.',
    lostNote: 'Docker marks an unhealthy container but does not restart it; the healthcheck probes the ready probe when there is one.',
    lost: sets('health.http'),
  },
  {
    key: 'health.tcp',
    field: 'healthcheck.interval, timeout, retries',
    note: 'As `health.http`.',
    lostNote: 'Docker marks an unhealthy container but does not restart it.',
    lost: sets('health.tcp'),
  },
  { key: 'health.interval', field: 'healthcheck.interval', note: 'Default 5 s.' },
  { key: 'health.failures', field: 'healthcheck.retries', note: 'Default 3.' },
  { key: 'health.timeout', field: 'healthcheck.timeout', note: 'Default 2 s.' },
  { key: 'logs.maxSize', field: 'logging.options.max-size', note: 'json-file log driver.' },
  { key: 'logs.keep', field: 'logging.options.max-file', note: 'keep + 1 (Docker counts the live file).' },
  { key: 'maxMemory', field: 'mem_limit', note: 'The kernel ends the container above it, and `restart` applies.' },
];

/** Compose reads a source not starting with `.` or `/` as a named volume: make a relative path explicit. */
const mountSource = (rel: string): string => (rel.startsWith('.') || rel.startsWith('/') ? rel : `./${rel}`);

const policy = { 'on-failure': 'on-failure', always: 'always', never: 'no' } as const;

function healthcheck(app: ResolvedApp): Record<string, unknown> | null {
  const port = containerPort(app);
  const resource = readyResource(app, port) ?? healthResource(app, port);
  if (resource === null) return null;
  const h = app.health ?? { interval: 5000, failures: 3, timeout: 2000 };
  return {
    test: ['CMD', 'node', '-e', nodeProbeScript(resource, h.timeout)],
    interval: duration(h.interval),
    timeout: duration(h.timeout),
    retries: h.failures,
    start_period: duration(app.ready.timeout),
    start_interval: duration(Math.max(app.ready.interval, 1000)),
  };
}

function service(ctx: ExportContext, app: ResolvedApp, root: string, hosts: Map<number, string>): Record<string, unknown> {
  const port = containerPort(app);
  const script = app.script === null ? null : inContainer(root, app.script);
  const env = Object.fromEntries(Object.entries(appEnv(app, port)).map(([k, v]) => [k, toServiceHosts(v, hosts)]));
  const check = healthcheck(app);
  const byName = new Map(ctx.config.apps.map((a) => [a.name, a]));
  return {
    image: imageOf(ctx, app, 'compose'),
    command: appCommand(app, 'node', script),
    working_dir: inContainer(root, app.cwd),
    volumes: [`${mountSource(relPath(ctx.outDir, root))}:/app`],
    ...(Object.keys(env).length > 0 ? { environment: env } : {}),
    ...(typeof app.port === 'number' ? { ports: [`127.0.0.1:${app.port}:${app.port}`] } : {}),
    restart: policy[app.restart.policy],
    stop_signal: app.stop.signal,
    stop_grace_period: duration(app.stop.timeout),
    ...(check ? { healthcheck: check } : {}),
    ...(app.dependsOn.length > 0
      ? {
          depends_on: Object.fromEntries(
            app.dependsOn.map((d) => [d, { condition: healthcheck(byName.get(d)!) ? 'service_healthy' : 'service_started' }]),
          ),
        }
      : {}),
    ...(app.maxMemory !== null ? { mem_limit: app.maxMemory } : {}),
    logging: { driver: 'json-file', options: { 'max-size': String(app.logs.maxSize), 'max-file': String(app.logs.keep + 1) } },
  };
}

/**
 * Compose interpolates `$VAR` in every value: `$` becomes `$$` so values reach the app as written.
 * Strings YAML 1.1 reads as booleans (`no`, `yes`, `on`, `off`; Compose's `restart: "no"`) are quoted.
 */
function escapeInterpolation(value: unknown): unknown {
  if (typeof value === 'string') {
    const escaped = value.replaceAll('$', '$$$$');
    if (!/^(?:y|n|yes|no|on|off|true|false)$/i.test(escaped)) return escaped;
    const quoted = new Scalar(escaped);
    quoted.type = Scalar.QUOTE_DOUBLE;
    return quoted;
  }
  if (Array.isArray(value)) return value.map(escapeInterpolation);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeInterpolation(v)]));
  return value;
}

/** `pm export compose`: a `compose.yaml` with one service per app. */
export const composeExporter: Exporter = {
  target: 'compose',
  summary: 'a `compose.yaml` with one service per app, the project folder mounted at `/app`',
  defaultDir: '.',
  mapping: composeMapping,
  render(ctx): ExportFile[] {
    const root = projectRoot(ctx);
    const hosts = serviceHosts(ctx, (a) => a.name);
    const doc = {
      name: ctx.project.toLowerCase().replace(/[^a-z0-9_-]/g, '-'),
      services: Object.fromEntries(ctx.apps.map((a) => [a.name, service(ctx, a, root, hosts)])),
    };
    const header = `# Written by \`pm export compose\` from ${ctx.configName}: change the config and export again rather than editing.\n`;
    return [
      { path: 'compose.yaml', content: header + stringify(escapeInterpolation(doc), { lineWidth: 0, aliasDuplicateObjects: false }) },
    ];
  },
  next: () => 'Run it with: docker compose up --wait',
};
