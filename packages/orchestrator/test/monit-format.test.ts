import { describe, expect, it } from 'vitest';
import { cleanLine, fit, sparkline, statusSince, tableLayout } from '../src/monit/format.js';
import { StatusHistory } from '../src/monit/history.js';
import type { AppStatusInfo } from '../src/index.js';

const app = (over: Partial<AppStatusInfo>): AppStatusInfo => ({
  name: 'api',
  status: 'running',
  pid: 100,
  restarts: 0,
  uptime: 0,
  cpu: 1,
  memory: 1000,
  port: null,
  ...over,
});

describe('pm monit drawing', () => {
  it('draws sparklines right-aligned, from 0 for cpu and from the lowest value for memory, blanks without a process', () => {
    expect(sparkline([0, 5, 10, null], 6, { span: 10, from: 'zero' })).toBe('  ▁▅█ ');
    expect(sparkline([0, 0.1, 0.2], 3, { span: 10, from: 'zero' })).toBe('▁▁▁'); // idle stays flat
    const mib = 1024 * 1024;
    expect(sparkline([100 * mib, 102 * mib, 104 * mib], 3, { span: 4 * mib, from: 'lowest' })).toBe('▁▅█');
    expect(sparkline([], 4, { span: 1, from: 'lowest' })).toBe('    ');
  });

  it('lays the table out within the terminal width, 80 columns included', () => {
    for (const columns of [60, 80, 120, 200]) {
      for (const longest of [3, 12, 40]) {
        const { name, spark } = tableLayout(columns, longest);
        const width = 2 + name + 1 + 13 + 1 + 7 + 1 + 4 + 1 + (spark + 7) + 1 + (spark + 7);
        // Below 66 columns the fixed columns alone do not fit: Ink cuts the rows at the edge.
        expect(width, `${columns} columns, name of ${longest}`).toBeLessThanOrEqual(Math.max(columns, 66));
      }
    }
    expect(tableLayout(80, 6)).toEqual({ name: 6, spark: 14 });
    expect(fit('a-very-long-app-name', 8)).toBe('a-very-…');
    expect(fit('7', 3, 'right')).toBe('  7');
  });

  it("removes an app's escape sequences and control characters from log lines", () => {
    expect(cleanLine('\u001b[31mred\u001b[0m\tx\r\u0007 \u001b]0;title\u0007done')).toBe('red  x done');
  });

  it('knows since when an app is in its status: from the uptime while running, from the change it saw otherwise', () => {
    const history = new StatusHistory(3);
    history.record([app({ uptime: 30 })], 100_000);
    expect(history.sinceOf('api')).toBe(70_000);
    history.record([app({ status: 'stopped', pid: null, cpu: null, memory: null })], 101_000);
    expect(history.sinceOf('api')).toBe(101_000);
    history.record([app({ status: 'stopped', pid: null, cpu: null, memory: null })], 105_000);
    expect(history.sinceOf('api')).toBe(101_000);
    expect(statusSince('stopped', 101_000, 113_000)).toBe('stopped 12s');
    const fresh = new StatusHistory();
    fresh.record([app({ status: 'errored', pid: null })], 1);
    expect(fresh.sinceOf('api')).toBeNull(); // first seen errored: the daemon does not say since when
    for (let i = 0; i < 5; i++) history.record([app({ cpu: i })]);
    expect(history.samplesOf('api').cpu).toEqual([2, 3, 4]); // bounded
  });
});
