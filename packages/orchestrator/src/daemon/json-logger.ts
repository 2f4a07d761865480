import type { Logger } from '../logger.js';

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    const { code, name } = value as Error & { code?: string };
    return { type: name, code, message: value.message, stack: value.stack };
  }
  return value;
}

/**
 * pino-format JSON lines (level, time, pid, msg) for the daemon's own log. Written here rather than
 * using pino itself: pino would be a third of the daemon's private memory, which the daemon is
 * benchmarked on, and the daemon logs a few lines a minute.
 */
export function jsonLogger(
  sink: { write(line: string): unknown },
  level: keyof typeof LEVELS = 'info',
  base: Record<string, unknown> = {},
): Logger {
  const write = (lvl: keyof typeof LEVELS, obj: unknown, msg?: string): void => {
    if (LEVELS[lvl] < LEVELS[level]) return;
    const fields = typeof obj === 'string' ? { msg: obj } : { ...(obj as Record<string, unknown>), msg };
    const record: Record<string, unknown> = { level: LEVELS[lvl], time: Date.now(), pid: process.pid, ...base };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) record[k] = serialise(v);
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ level: LEVELS[lvl], time: Date.now(), pid: process.pid, msg: String(msg ?? obj) });
    }
    sink.write(`${line}\n`);
  };
  return {
    debug: (obj, msg) => write('debug', obj, msg),
    info: (obj, msg) => write('info', obj, msg),
    warn: (obj, msg) => write('warn', obj, msg),
    error: (obj, msg) => write('error', obj, msg),
  };
}
