import { join } from 'node:path';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { createElement as h, useState, type ReactElement } from 'react';
import { requestDaemon } from '../daemon/client.js';
import type { AppStatusInfo } from '../supervisor/events.js';
import { fit, shortBytes, shortCpu, sparkline, statusSince, tableLayout, type TableLayout } from './format.js';
import type { StatusHistory } from './history.js';
import { useDaemonStatus, useFlash, useLogTail, useTerminalSize } from './hooks.js';

// The view is built with createElement rather than JSX: the package's build and tsconfig stay as they are.

/** Props of {@link MonitView}. */
export interface MonitViewProps {
  /** Daemon socket of the project. */
  socket: string;
  /** Folder of the per-app logs. */
  logs: string;
  /** Shown in the header: the project's folder. */
  project: string;
  /** Status read before the first frame, so the list is never empty for a second. */
  initial: AppStatusInfo[];
  /** Draw colours and inverse video; false for NO_COLOR (or TERM=dumb): then no SGR code at all. */
  color: boolean;
  /** Ms between two status polls (the sparklines get one sample each). @default 1000 */
  statusIntervalMs?: number;
  /** Ms between two looks at the selected app's log. @default 100 */
  logIntervalMs?: number;
}

type Verb = 'start' | 'stop' | 'restart';
const doing: Record<Verb, [string, string]> = {
  start: ['starting', 'started'],
  stop: ['stopping', 'stopped'],
  restart: ['restarting', 'restarted'],
};
const statusColors: Record<string, string> = {
  running: 'green',
  starting: 'yellow',
  stopping: 'yellow',
  backoff: 'yellow',
  errored: 'red',
};
const KEYS = '↑↓/jk move  r restart  s stop  S/t start  q quit';
const LOG_KEEP = 500;
// CPU from 0, full height at 10 % or the peak; memory from its lowest, full height 4 MiB above or at the peak.
const CPU_SCALE = { span: 10, from: 'zero' } as const;
const MEMORY_SCALE = { span: 4 * 1024 * 1024, from: 'lowest' } as const;

/** The whole `pm monit` screen: header, app table, the selected app's live log, and a footer of keys or news. */
export function MonitView(props: MonitViewProps): ReactElement {
  const { stdout } = useStdout();
  const { columns, rows } = useTerminalSize(stdout);
  const { exit } = useApp();
  const daemon = useDaemonStatus(props.socket, props.statusIntervalMs ?? 1000, props.initial);
  const [selectedName, setSelectedName] = useState<string | null>(props.initial[0]?.name ?? null);
  const [flash, showFlash] = useFlash(4000);
  const apps = daemon.apps;
  const selected = Math.max(
    0,
    apps.findIndex((a) => a.name === selectedName),
  );
  const app = apps[selected];
  const logFile = app ? join(props.logs, `${app.name}.log`) : null;
  const logLines = useLogTail(logFile, LOG_KEEP, props.logIntervalMs ?? 100);

  const act = (verb: Verb, name: string) => {
    showFlash(`${doing[verb][0]} ${name}…`, 'info', true);
    requestDaemon(props.socket, { cmd: verb, names: [name] }).then(
      (answer) => {
        if (answer.status) daemon.accept(answer.status);
        if (answer.ok) showFlash(`${name} ${doing[verb][1]}`, 'info');
        else showFlash(answer.error.message, 'error');
      },
      (error: Error) => showFlash(error.message, 'error'),
    );
  };
  useInput((input, key) => {
    if (input === 'q') return exit();
    const move = key.upArrow || input === 'k' ? -1 : key.downArrow || input === 'j' ? 1 : 0;
    if (move !== 0 && apps.length > 0) setSelectedName(apps[Math.min(apps.length - 1, Math.max(0, selected + move))]!.name);
    if (!app) return;
    if (input === 'r') act('restart', app.name);
    else if (input === 's') act('stop', app.name);
    else if (input === 'S' || input === 't') act('start', app.name);
  });

  // One row short of the screen: Ink redraws a frame as tall as the terminal by clearing it whole (flicker over SSH).
  const height = Math.max(8, rows - 1);
  const tableRows = Math.min(apps.length, Math.max(1, height - 4 - 3));
  const first = Math.min(Math.max(0, selected - tableRows + 1), Math.max(0, apps.length - tableRows));
  const layout = tableLayout(columns, Math.max(0, ...apps.map((a) => a.name.length)));
  const logRows = height - 4 - Math.max(1, tableRows);
  const paint = (color: string | undefined) => (props.color && color ? { color } : {});

  const header = h(
    Box,
    { width: columns },
    h(Text, { bold: props.color, wrap: 'truncate-end' }, fit(`pm monit  ${props.project}`, columns - 10)),
    h(Text, daemon.error ? paint('red') : {}, fit(daemon.error ? 'no daemon' : clock(), 10, 'right')),
  );
  const table = apps.length
    ? apps.slice(first, first + tableRows).map((a, i) => appRow(a, first + i === selected, layout, daemon.history, props.color))
    : [h(Text, { key: 'none' }, '  No apps.')];
  const title = app ? ` ${app.name} log ` : ' log ';
  const visible = logLines.slice(-logRows);
  const logs = [...visible, ...Array<string>(logRows - visible.length).fill('')].map((line, i) =>
    h(Text, { key: `l${i}`, wrap: 'truncate-end' }, line || ' '),
  );
  const problem = daemon.error ? `daemon: ${daemon.error}` : null;
  const footer = flash ?? (problem ? { text: problem, tone: 'error' as const } : null);
  return h(
    Box,
    { flexDirection: 'column', width: columns, height },
    header,
    h(Text, { ...paint('gray'), wrap: 'truncate-end' }, tableHeader(layout)),
    ...table,
    h(Text, { ...paint('gray'), wrap: 'truncate-end' }, `──${title}${'─'.repeat(Math.max(0, columns - title.length - 2))}`),
    ...logs,
    h(
      Text,
      { ...(footer ? paint(footer.tone === 'error' ? 'red' : 'yellow') : paint('gray')), wrap: 'truncate-end' },
      footer?.text ?? KEYS,
    ),
  );
}

/** The wall clock, 24 h. */
function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

function tableHeader(layout: TableLayout): string {
  return [
    '  ',
    fit('NAME', layout.name),
    ' ',
    fit('STATUS', 13),
    ' ',
    fit('PID', 7, 'right'),
    ' ',
    fit('RST', 4, 'right'),
    ' ',
    fit('CPU', layout.spark + 7),
    ' ',
    fit('MEMORY', layout.spark + 7),
  ].join('');
}

/** One line of the table; colours (and inverse video for the selection) only when `color`. */
function appRow(app: AppStatusInfo, selected: boolean, layout: TableLayout, history: StatusHistory, color: boolean): ReactElement {
  const samples = history.samplesOf(app.name);
  const cpu = `${sparkline(samples.cpu, layout.spark, CPU_SCALE)} ${fit(app.cpu === null ? '-' : shortCpu(app.cpu), 6, 'right')}`;
  const memory = `${sparkline(samples.memory, layout.spark, MEMORY_SCALE)} ${fit(app.memory === null ? '-' : shortBytes(app.memory), 6, 'right')}`;
  const cells: [string, string | undefined][] = [
    [`${selected ? '>' : ' '} ${fit(app.name, layout.name)} `, undefined],
    [fit(statusSince(app.status, history.sinceOf(app.name)), 13), statusColors[app.status] ?? 'gray'],
    [` ${fit(app.pid === null ? '-' : String(app.pid), 7, 'right')} ${fit(String(app.restarts), 4, 'right')} `, undefined],
    [cpu, 'cyan'],
    [' ', undefined],
    [memory, 'magenta'],
  ];
  return h(
    Text,
    { key: app.name, wrap: 'truncate-end', ...(color && selected ? { inverse: true, bold: true } : {}) },
    ...cells.map(([text, tint], i) => h(Text, { key: i, ...(color && tint ? { color: tint } : {}) }, text)),
  );
}
