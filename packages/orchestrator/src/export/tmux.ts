import type { ResolvedApp } from '../config/resolve.js';
import { appCommand, appEnv, readyResource, relPath } from './app-view.js';
import { lostWhen, restartTuningWithoutRestarts } from './mapping.js';
import { shJoin, shQuote } from './quote.js';
import type { ExportContext, ExportFile, Exporter, MappingRow } from './types.js';

/** How each pm key becomes part of the tmux script (the tmux guide's table is generated from this). */
export const tmuxMapping: readonly MappingRow[] = [
  {
    key: 'name',
    field: 'window <name>',
    note: 'One window per app in session `<project>` (env `PM_TMUX_SESSION`), opened in dependency order.',
  },
  { key: 'script', field: 'pane command: node <script>', note: 'The node on PATH; the path relative to the app folder.' },
  { key: 'command', field: 'pane command', note: 'An array quoted for sh; a string through `/bin/sh -c`.' },
  { key: 'args', field: 'pane command', note: 'Appended, quoted.' },
  { key: 'cwd', field: 'new-window -c', note: 'Relative to the script, so the script can be committed.' },
  { key: 'env', field: 'exec env K=V …', note: 'Set for the app only.' },
  { key: 'port', field: 'env PORT', note: "`'auto'` cannot be picked by a static script: set a port.", lost: lostWhen.autoPort },
  { key: 'ready.http', field: 'pm wait <url>', note: 'The next window opens once the URL answers.' },
  { key: 'ready.tcp', field: 'pm wait tcp:<host>:<port>', note: 'As `ready.http`, on a TCP connect.' },
  {
    key: 'ready.log',
    field: 'capture-pane | grep',
    note: 'The pane is searched for the text (`grep -F`) or the RegExp (`grep -E`, close to JavaScript’s syntax).',
  },
  { key: 'ready.ipc', field: null, note: 'A pane has no IPC channel: the next window opens at once.', lost: lostWhen.ipcReady },
  {
    key: 'ready.timeout',
    field: 'pm wait --timeout',
    note: 'The script stops (leaving the session to look at) when an app is not ready in time.',
  },
  { key: 'ready.interval', field: 'pm wait --interval', note: 'Probe interval; the pane is searched every 200 ms.' },
  { key: 'ready.announce', field: null, note: "@pm/health's announcement travels over IPC, which a pane does not give." },
  {
    key: 'dependsOn',
    field: 'window order',
    note: 'Windows open in dependency order, each after the one before is ready.',
    lostNote: 'A dependency without a ready probe or log line is not waited for.',
    lost: (app, ctx) => app.dependsOn.some((d) => ['none', 'ipc'].includes(ctx.config.apps.find((a) => a.name === d)!.ready.kind)),
  },
  {
    key: 'restart.policy',
    field: 'remain-on-exit',
    note: 'Nothing restarts an app that exits: its pane stays open with the exit status.',
    lost: (app) => app.restart.policy !== 'never',
  },
  ...restartTuningWithoutRestarts,
  { key: 'stop.signal', field: '<script> stop: kill -s', note: "Sent to the pane's process group, in reverse dependency order." },
  { key: 'stop.timeout', field: '<script> stop: then kill -s KILL', note: 'Then SIGKILL to the group, then the session is closed.' },
  { key: 'health.http', field: null, note: 'No liveness probe in tmux.' },
  { key: 'health.tcp', field: null, note: 'No liveness probe in tmux.' },
  { key: 'health.interval', field: null, note: 'No liveness probe in tmux.' },
  { key: 'health.failures', field: null, note: 'No liveness probe in tmux.' },
  { key: 'health.timeout', field: null, note: 'No liveness probe in tmux.' },
  { key: 'logs.maxSize', field: null, note: 'Output stays in the pane (its history-limit), not in files.' },
  { key: 'logs.keep', field: null, note: 'Output stays in the pane, not in files.' },
  { key: 'maxMemory', field: null, note: 'Nothing watches memory in tmux.' },
];

/** A window name tmux targets can hold (`.` separates a pane index there). */
const windowName = (app: ResolvedApp): string => app.name.replaceAll('.', '_');

/** The command the pane runs: `exec env K=V … <program>` (exec, so the pane's pid is the app's). */
function paneCommand(app: ResolvedApp): string {
  const script = app.script === null ? null : relPath(app.cwd, app.script);
  const env = Object.entries(appEnv(app)).map(([k, v]) => `${k}=${v}`);
  return `exec ${shJoin([...(env.length > 0 ? ['env', ...env] : []), ...appCommand(app, 'node', script)])}`;
}

/** Shell lines that wait until `app` is ready, or fail the script. */
function waitLines(ctx: ExportContext, app: ResolvedApp): string[] {
  const resource = readyResource(app);
  const seconds = String(app.ready.timeout / 1000);
  if (resource !== null) {
    return [
      `  pm wait --timeout ${seconds} --interval ${app.ready.interval} ${shQuote(resource)} >/dev/null || not_ready ${shQuote(app.name)}`,
    ];
  }
  if (app.ready.kind === 'log') {
    const p = app.ready.pattern;
    const grep = typeof p === 'string' ? `-F -- ${shQuote(p)}` : `-E -- ${shQuote(p.source)}`;
    return [`  wait_log ${windowName(app)} ${Math.ceil(app.ready.timeout / 1000)} ${grep} || not_ready ${shQuote(app.name)}`];
  }
  return [];
}

function script(ctx: ExportContext): string {
  const open = ctx.apps.map((app, i) => {
    const where = `-n ${windowName(app)} -c "$here"/${shQuote(relPath(ctx.outDir, app.cwd))} ${shQuote(paneCommand(app))}`;
    const cmd =
      i === 0
        ? `  t new-session -d -s "$session" -x 200 -y 50 ${where} \\; set-option -w -t "$session:${windowName(app)}" remain-on-exit on`
        : `  t new-window -d -t "$session:" ${where} \\; set-option -w -t "$session:${windowName(app)}" remain-on-exit on`;
    return [`  echo ${shQuote(`${app.name}: starting`)}`, cmd, ...waitLines(ctx, app)].join('\n');
  });
  const stops = [...ctx.apps]
    .reverse()
    .map((app) => `  stop_window ${windowName(app)} ${app.stop.signal.replace(/^SIG/, '')} ${Math.ceil(app.stop.timeout / 100)}`);
  return `#!/bin/sh
# Written by \`pm export tmux\` from ${ctx.configName}: change the config and export again rather than editing.
# Opens one tmux window per app in dependency order, each once the one before is ready.
# Usage: ${'$'}0 [start|stop|attach]   env: PM_TMUX_SESSION (default ${ctx.project}), PM_TMUX_SOCKET (a tmux -L server name)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
session=\${PM_TMUX_SESSION:-${shQuote(ctx.project)}}

t() { if [ -n "\${PM_TMUX_SOCKET:-}" ]; then tmux -L "$PM_TMUX_SOCKET" "$@"; else tmux "$@"; fi; }
pm() { ${shJoin(ctx.pm!)} "$@"; }
not_ready() { echo "$1 is not ready: see its window (tmux attach -t $session), then $0 stop" >&2; exit 1; }

# wait_log <window> <timeout s> <grep options and pattern>: until the pane shows the line, or it exits.
wait_log() {
  win=$1; ticks=$(($2 * 5)); shift 2
  until t capture-pane -p -J -S - -t "$session:$win" | grep -q "$@"; do
    [ "$(t display-message -p -t "$session:$win" '#{pane_dead}')" = 1 ] && return 1
    ticks=$((ticks - 1)); [ "$ticks" -le 0 ] && return 1
    sleep 0.2
  done
}

# stop_window <window> <signal> <tenths of a second>: signal the pane's process group, then SIGKILL it.
stop_window() {
  pid=$(t display-message -p -t "$session:$1" '#{?pane_dead,,#{pane_pid}}' 2>/dev/null) || return 0
  [ -n "$pid" ] || return 0
  kill -s "$2" -- "-$pid" 2>/dev/null || return 0
  ticks=$3
  while kill -0 -- "-$pid" 2>/dev/null && [ "$ticks" -gt 0 ]; do sleep 0.1; ticks=$((ticks - 1)); done
  kill -s KILL -- "-$pid" 2>/dev/null || true
}

start() {
  if t has-session -t "$session" 2>/dev/null; then echo "tmux session $session is already running: $0 stop first" >&2; exit 1; fi
${open.join('\n')}
  echo "All apps are up. Attach with: tmux attach -t $session"
}

stop() {
  t has-session -t "$session" 2>/dev/null || { echo "tmux session $session is not running"; return 0; }
${stops.join('\n')}
  t kill-session -t "$session"
}

case "\${1:-start}" in
  start) start ;;
  stop) stop ;;
  attach) t attach -t "$session" ;;
  *) echo "usage: $0 [start|stop|attach]" >&2; exit 2 ;;
esac
`;
}

/** `pm export tmux`: a `pm-tmux.sh` that opens the stack in tmux and stops it. */
export const tmuxExporter: Exporter = {
  target: 'tmux',
  summary: 'a `pm-tmux.sh` script: `start` opens one window per app in dependency order, `stop` ends them',
  defaultDir: '.',
  mapping: tmuxMapping,
  render: (ctx): ExportFile[] => [{ path: 'pm-tmux.sh', content: script(ctx), mode: 0o755 }],
  next: (outDir) => `Start it with: ${outDir}/pm-tmux.sh (stop: pm-tmux.sh stop)`,
};
