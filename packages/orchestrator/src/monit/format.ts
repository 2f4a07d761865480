import { stripVTControlCharacters } from 'node:util';
import { humanUptime } from '../cli/output.js';

// Eight heights of block: the usual sparkline alphabet; every terminal font with box drawing has them.
const TICKS = '▁▂▃▄▅▆▇█';

/**
 * A sparkline of the last `width` values, right-aligned; null values (no process) are blanks. The scale
 * runs from `from` (0, or the lowest value shown: memory moves little against its size) to the highest
 * value, but spans at least `span`, so an idle app draws flat instead of magnifying noise.
 */
export function sparkline(values: (number | null)[], width: number, scale: { span: number; from: 'zero' | 'lowest' }): string {
  const shown = values.slice(-width);
  const numbers = shown.filter((v): v is number => v !== null);
  const low = scale.from === 'zero' || numbers.length === 0 ? 0 : Math.min(...numbers);
  const top = Math.max(low + scale.span, ...numbers);
  const tick = (v: number) => TICKS[Math.min(TICKS.length - 1, Math.max(0, Math.round(((v - low) / (top - low)) * (TICKS.length - 1))))]!;
  return shown
    .map((v) => (v === null ? ' ' : tick(v)))
    .join('')
    .padStart(width);
}

/** Bytes in a short form that fits six columns: 512K, 45.1M, 1.2G. */
export function shortBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)}K`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)}M`;
  return `${(bytes / 1024 ** 3).toFixed(1)}G`;
}

/** A CPU percentage in six columns: 0.3%, 100.0%. */
export function shortCpu(percent: number): string {
  return `${percent.toFixed(1)}%`;
}

/** "running 3m": the status and, when known, how long it has lasted. */
export function statusSince(status: string, since: number | null, now = Date.now()): string {
  return since === null ? status : `${status} ${humanUptime(Math.max(0, Math.round((now - since) / 1000)))}`;
}

/** `text` cut or padded to exactly `width` columns (one column per character: names and numbers are ASCII in practice). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/** Column widths of the app table for a terminal `columns` wide, given the longest app name. */
export interface TableLayout {
  /** Columns of the name column. */
  name: number;
  /** Columns of each of the two sparklines (cpu, memory). */
  spark: number;
}

// Fixed columns: marker 2, status 13, pid 7, restarts 4, cpu and memory figures 6 each, and the gaps.
const FIXED = 2 + 14 + 8 + 5 + 1 + 6 + 1 + 1 + 6;

/** Shares the width left by the fixed columns between the name column and the two sparklines. */
export function tableLayout(columns: number, longestName: number): TableLayout {
  let name = Math.min(Math.max(4, longestName), 24);
  let spark = Math.min(30, Math.floor((columns - FIXED - name - 1) / 2));
  if (spark < 4) {
    spark = 4;
    name = Math.max(4, columns - FIXED - 1 - 2 * spark);
  }
  return { name, spark };
}

/** A log line made safe to draw: no escape sequences or control characters (an app's colours stay out of the view). */
export function cleanLine(line: string): string {
  return (
    stripVTControlCharacters(line)
      .replace(/\t/g, '  ')
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
  );
}
