import { jsonLinesLogger, type LogLevel } from '@pm/kernel/logger';
import type { Logger } from '../logger.js';

/**
 * pino-format JSON lines (level, time, pid, msg) for the daemon's own log; lines below `level` are
 * dropped. Not pino itself: pino would be a third of the daemon's private memory, which the daemon is
 * benchmarked on, and the daemon logs a few lines a minute.
 */
export function jsonLogger(sink: { write(line: string): unknown }, level: LogLevel = 'info', base: Record<string, unknown> = {}): Logger {
  return jsonLinesLogger(sink, { level, base }) as Logger;
}
