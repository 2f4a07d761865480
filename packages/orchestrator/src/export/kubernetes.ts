import { stringify } from 'yaml';
import type { ResolvedApp } from '../config/resolve.js';
import { appCommand, appEnv, healthResource, isLocalHost, probeTarget, readyResource, seconds, toServiceHosts } from './app-view.js';
import { containerPort, imageOf, inContainer, projectRoot, serviceHosts } from './container.js';
import { lostWhen } from './mapping.js';
import type { ExportContext, ExportFile, Exporter, MappingRow } from './types.js';

/** How each pm key becomes a Deployment or Service field (the kubernetes guide's table is generated from this). */
export const kubernetesMapping: readonly MappingRow[] = [
  {
    key: 'name',
    field: 'Deployment and Service <name>',
    note: 'Lower-cased, other characters as `-` (DNS-1123); labels `app.kubernetes.io/name` and `part-of`.',
  },
  {
    key: 'script',
    field: 'containers[0].command: [node, <script>], image',
    note: 'Image `node:<major>-slim` unless `--image`; the image must hold the project at `/app`.',
  },
  { key: 'command', field: 'containers[0].command', note: 'An array as is, a string as `[/bin/sh, -c, …]`; needs `--image`.' },
  { key: 'args', field: 'containers[0].command', note: 'Appended to the command.' },
  { key: 'cwd', field: 'containers[0].workingDir', note: 'The same folder under `/app`.' },
  { key: 'env', field: 'containers[0].env', note: '`localhost:<port>` / `127.0.0.1:<port>` of another app becomes `<service>:<port>`.' },
  {
    key: 'port',
    field: 'containerPort, env PORT, Service port',
    note: "`'auto'` listens on 8080 (a pod has its own ports). The app must listen on all interfaces, not 127.0.0.1, to be probed and served.",
  },
  {
    key: 'ready.http',
    field: 'readinessProbe.httpGet, startupProbe.httpGet',
    note: 'Path and port from the URL; a non-local host becomes `httpGet.host`.',
  },
  { key: 'ready.tcp', field: 'readinessProbe.tcpSocket, startupProbe.tcpSocket', note: 'Port from the target.' },
  { key: 'ready.log', field: null, note: 'Kubernetes cannot probe a log line: the pod is ready once it runs.', lost: lostWhen.logReady },
  { key: 'ready.ipc', field: null, note: 'No IPC channel to a container: the pod is ready once it runs.', lost: lostWhen.ipcReady },
  {
    key: 'ready.timeout',
    field: 'startupProbe.failureThreshold',
    note: 'timeout ÷ period, so the pod is restarted when not ready in time, as pm fails the start.',
  },
  { key: 'ready.interval', field: 'startupProbe.periodSeconds', note: 'Whole seconds, at least 1.' },
  { key: 'ready.announce', field: null, note: "@pm/health's announcement travels over IPC, which a container does not give." },
  {
    key: 'dependsOn',
    field: 'initContainers[wait-for-dependencies]',
    note: "Runs `pm wait` on each dependency's Service (its ready probe, host replaced by the Service name); the image must have pm (`npx --no-install pm`).",
    lostNote: 'A dependency without an http/tcp ready probe and a port has nothing to wait on: the pod starts without it.',
    lost: (app, ctx) =>
      lostWhen.unprobedDependency(app, ctx) ||
      app.dependsOn.some((d) => containerPort(ctx.config.apps.find((a) => a.name === d)!) === null),
  },
  {
    key: 'restart.policy',
    field: 'restartPolicy: Always',
    note: 'A Deployment always restarts its containers.',
    lostNote: 'A Deployment always restarts its containers; `on-failure` and `never` need a Job, which `pm export` does not write.',
    lost: (app) => app.restart.policy !== 'always',
  },
  {
    key: 'restart.maxRestarts',
    field: null,
    note: 'Kubernetes never gives up: it restarts with CrashLoopBackOff (10 s doubling to 5 min).',
  },
  { key: 'restart.window', field: null, note: 'Kubernetes has no restart window.' },
  { key: 'restart.minUptime', field: null, note: 'The kubelet resets its backoff after 10 min of uptime; not settable per pod.' },
  { key: 'restart.backoff.initial', field: null, note: 'The kubelet sets the restart delay (10 s doubling).' },
  { key: 'restart.backoff.max', field: null, note: 'The kubelet caps the restart delay at 5 min.' },
  {
    key: 'stop.signal',
    field: null,
    note: 'The kubelet sends SIGTERM (a STOPSIGNAL in the image changes it).',
    lost: (app) => app.stop.signal !== 'SIGTERM',
  },
  {
    key: 'stop.timeout',
    field: 'terminationGracePeriodSeconds',
    note: 'Whole seconds. No preStop sleep is added: @pm/health already answers 503 on /readyz for its drain delay (5 s under Kubernetes) after SIGTERM, so keep stop.timeout above that delay plus your shutdown.',
  },
  { key: 'health.http', field: 'livenessProbe.httpGet', note: 'Path and port from the URL.' },
  { key: 'health.tcp', field: 'livenessProbe.tcpSocket', note: 'Port from the target.' },
  {
    key: 'health.interval',
    field: 'livenessProbe.periodSeconds, readinessProbe.periodSeconds',
    note: 'Whole seconds, at least 1 (readiness every 5 s without health).',
  },
  { key: 'health.failures', field: 'livenessProbe.failureThreshold', note: 'Restarts after this many failures in a row, as pm does.' },
  { key: 'health.timeout', field: 'livenessProbe.timeoutSeconds, readinessProbe.timeoutSeconds', note: 'Whole seconds, at least 1.' },
  { key: 'logs.maxSize', field: null, note: 'The kubelet rotates container logs (its `containerLogMaxSize`), not the pod.' },
  { key: 'logs.keep', field: null, note: 'The kubelet keeps `containerLogMaxFiles` copies, not the pod.' },
  { key: 'maxMemory', field: 'resources.limits.memory', note: 'The container is OOM-killed above it and restarted.' },
];

/** The DNS-1123 name of an app's Deployment and Service. */
export const k8sName = (app: ResolvedApp): string =>
  app.name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63) || 'app';

type Probe = Record<string, unknown>;

/** Kubernetes expands `$(VAR)` in command and env values; `$$(` keeps it literal. */
const literal = (text: string): string => text.replaceAll('$(', '$$$$(');

/** The probe action for a wait resource, probing the pod itself for local hosts. */
function probeAction(resource: string): Probe {
  const t = probeTarget(resource);
  const host = isLocalHost(t.host) ? {} : { host: t.host };
  if (t.kind === 'tcp') return { tcpSocket: { port: t.port, ...host } };
  return { httpGet: { path: t.path, port: t.port, scheme: t.scheme, ...host } };
}

function probes(app: ResolvedApp): Record<string, Probe> {
  const port = containerPort(app);
  const ready = readyResource(app, port);
  const live = healthResource(app, port);
  const h = app.health ?? { interval: 5000, failures: 3, timeout: 2000 };
  const out: Record<string, Probe> = {};
  if (ready !== null) {
    const period = seconds(app.ready.interval);
    out.startupProbe = {
      ...probeAction(ready),
      periodSeconds: period,
      failureThreshold: Math.max(1, Math.ceil(app.ready.timeout / (period * 1000))),
    };
    out.readinessProbe = { ...probeAction(ready), periodSeconds: seconds(h.interval), timeoutSeconds: seconds(h.timeout) };
  }
  if (live !== null && app.health) {
    out.livenessProbe = {
      ...probeAction(live),
      periodSeconds: seconds(h.interval),
      timeoutSeconds: seconds(h.timeout),
      failureThreshold: h.failures,
    };
  }
  return out;
}

/** `pm wait` resources of the app's dependencies, each addressed by its Service. */
function dependencyResources(ctx: ExportContext, app: ResolvedApp): string[] {
  return app.dependsOn.flatMap((name) => {
    const dep = ctx.config.apps.find((a) => a.name === name)!;
    const port = containerPort(dep);
    const resource = port === null ? null : readyResource(dep, port);
    if (resource === null) return [];
    const t = probeTarget(resource);
    const host = isLocalHost(t.host) ? k8sName(dep) : t.host;
    return [t.kind === 'tcp' ? `tcp:${host}:${t.port}` : `${t.scheme.toLowerCase()}://${host}:${t.port}${t.path}`];
  });
}

function deployment(ctx: ExportContext, app: ResolvedApp, root: string, hosts: Map<number, string>): Record<string, unknown> {
  const labels = { 'app.kubernetes.io/name': k8sName(app), 'app.kubernetes.io/part-of': ctx.project };
  const port = containerPort(app);
  const image = imageOf(ctx, app, 'kubernetes');
  const workingDir = inContainer(root, app.cwd);
  const waits = dependencyResources(ctx, app);
  const timeout = Math.max(...app.dependsOn.map((d) => ctx.config.apps.find((a) => a.name === d)!.ready.timeout), 1000);
  const env = Object.entries(appEnv(app, port)).map(([name, value]) => ({ name, value: literal(toServiceHosts(value, hosts)) }));
  const container = {
    name: k8sName(app),
    image,
    command: appCommand(app, 'node', app.script === null ? null : inContainer(root, app.script)).map(literal),
    workingDir,
    ...(env.length > 0 ? { env } : {}),
    ...(port !== null ? { ports: [{ name: 'app', containerPort: port }] } : {}),
    ...probes(app),
    ...(app.maxMemory !== null ? { resources: { limits: { memory: String(app.maxMemory) } } } : {}),
  };
  const init =
    waits.length > 0
      ? [{ name: 'wait-for-dependencies', image, workingDir, command: [...ctx.pm!, 'wait', '--timeout', String(timeout / 1000), ...waits] }]
      : [];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: k8sName(app), labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: seconds(app.stop.timeout),
          ...(init.length > 0 ? { initContainers: init } : {}),
          containers: [container],
        },
      },
    },
  };
}

function service(ctx: ExportContext, app: ResolvedApp, port: number): Record<string, unknown> {
  const labels = { 'app.kubernetes.io/name': k8sName(app), 'app.kubernetes.io/part-of': ctx.project };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: k8sName(app), labels },
    spec: { selector: labels, ports: [{ name: 'app', port, targetPort: 'app' }] },
  };
}

/** `pm export kubernetes`: a `kubernetes.yaml` with a Deployment (and a Service when it has a port) per app. */
export const kubernetesExporter: Exporter = {
  target: 'kubernetes',
  summary: 'a `kubernetes.yaml` with a Deployment per app and a Service per app with a port',
  defaultDir: '.',
  mapping: kubernetesMapping,
  render(ctx): ExportFile[] {
    const root = projectRoot(ctx);
    const hosts = serviceHosts(ctx, k8sName);
    const docs = ctx.apps.flatMap((app) => {
      const port = containerPort(app);
      return [deployment(ctx, app, root, hosts), ...(port !== null ? [service(ctx, app, port)] : [])];
    });
    const header = `# Written by \`pm export kubernetes\` from ${ctx.configName}: change the config and export again rather than editing.\n`;
    return [
      {
        path: 'kubernetes.yaml',
        content: header + docs.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n'),
      },
    ];
  },
  next: (outDir) => `Apply it with: kubectl apply -f ${outDir}/kubernetes.yaml`,
};
