import type { AppStatusInfo } from '../supervisor/events.js';

/** True when `stream` should get ANSI colors: a terminal, and neither NO_COLOR nor TERM=dumb (FORCE_COLOR forces). */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
/** A color name. */
export type Color = keyof typeof CODES;

/** Wraps `text` in an ANSI color when `enabled`. */
export function paint(text: string, color: Color, enabled: boolean): string {
  return enabled ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}

/** Colors cycled through app name prefixes in `pm run`. */
export const prefixColors: Color[] = ['cyan', 'magenta', 'yellow', 'green', 'blue'];

/** A short human duration from seconds: 42s, 5m, 3h, 2d. */
export function humanUptime(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** Renders rows as left-aligned columns. */
export function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const statusColor: Record<string, Color> = {
  running: 'green',
  starting: 'yellow',
  stopping: 'yellow',
  backoff: 'yellow',
  errored: 'red',
  stopped: 'gray',
};

/** The status table `pm start` and `pm status` print. */
export function statusTable(apps: AppStatusInfo[], color: boolean): string {
  if (apps.length === 0) return 'No apps.';
  const rows = [['name', 'status', 'pid', 'restarts', 'uptime', 'cpu', 'memory', 'port']];
  for (const a of apps) {
    rows.push([
      a.name,
      a.status,
      a.pid === null ? '-' : String(a.pid),
      String(a.restarts),
      a.pid === null ? '-' : humanUptime(a.uptime),
      a.cpu === null ? '-' : `${a.cpu}%`,
      a.memory === null ? '-' : `${(a.memory / 1048576).toFixed(1)} MB`,
      a.port === null ? '-' : String(a.port),
    ]);
  }
  const text = columns(rows).split('\n');
  if (!color) return text.join('\n');
  return [
    paint(text[0]!, 'bold', true),
    ...text.slice(1).map((line, i) => line.replace(apps[i]!.status, paint(apps[i]!.status, statusColor[apps[i]!.status] ?? 'gray', true))),
  ].join('\n');
}
