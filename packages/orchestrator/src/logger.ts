import { createRequire } from 'node:module';

/** The pino-compatible logger shape the orchestrator writes to. */
export interface Logger {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The logger to use: the given one, else pino on stderr when env PROCESS_MANAGER_DEBUG=true, else silent. */
export function defaultLogger(logger?: Logger): Logger {
  if (logger) return logger;
  if (process.env.PROCESS_MANAGER_DEBUG === 'true') {
    // Loaded only when asked for: pino costs every importer ~3 MB of memory otherwise.
    const { pino, destination } = createRequire(import.meta.url)('pino') as typeof import('pino');
    return pino({ name: 'pm', level: 'debug' }, destination(2));
  }
  return silent;
}
