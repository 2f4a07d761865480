/** The pino-compatible subset of a logger that @pm/health calls. A pino instance fits as is. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

const noop = (): void => {};
const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

// JSON lines on stderr for PROCESS_MANAGER_DEBUG: loading pino for a debug switch would add its
// start-up cost and a runtime dependency to every app that imports @pm/health.
function debugLogger(): Logger {
  const write = (level: string) => (obj: object | string, msg?: string) => {
    const fields = typeof obj === 'string' ? { msg: obj } : { ...obj, msg };
    process.stderr.write(`${JSON.stringify({ level, time: Date.now(), pid: process.pid, name: '@pm/health', ...fields })}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** The user's logger, else a debug logger when PROCESS_MANAGER_DEBUG=true, else silence. Read at call time, never at import. */
export function resolveLogger(logger: Logger | undefined): Logger {
  if (logger) return logger;
  return process.env.PROCESS_MANAGER_DEBUG === 'true' ? debugLogger() : silentLogger;
}

/** True when `value` has the four logger methods we call. */
export function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['debug', 'info', 'warn', 'error'].every((m) => typeof v[m] === 'function');
}
