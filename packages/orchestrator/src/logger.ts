import { jsonLinesLogger, silentLogger } from '@pm/kernel/logger';

/** The pino-compatible logger shape the orchestrator writes to. */
export interface Logger {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** The logger to use: the given one, else pino-format JSON lines on stderr when env PROCESS_MANAGER_DEBUG=true, else silent. */
export function defaultLogger(logger?: Logger): Logger {
  if (logger) return logger;
  if (process.env.PROCESS_MANAGER_DEBUG === 'true') return jsonLinesLogger(process.stderr, { base: { name: 'pm' } }) as Logger;
  return silentLogger as Logger;
}
