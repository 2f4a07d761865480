/** The pino-compatible subset of a logger that the toolkit's packages call. A pino instance fits as is. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** Log levels with pino's numbers, lowest first. */
export const LOG_LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = keyof typeof LOG_LEVELS;

const noop = (): void => {};

/** A logger that drops everything: what every library logs to unless asked. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Options of {@link jsonLinesLogger}. */
export interface JsonLinesOptions {
  /** Lines below this level are dropped. @default 'debug' */
  level?: LogLevel;
  /** Fields written in every line after `level`, `time` and `pid` (e.g. `{ name: '@pm/lock' }`). @default {} */
  base?: Record<string, unknown>;
  /** `level` written as pino's number (`20`) or as its name (`"debug"`). @default 'number' */
  levelFormat?: 'number' | 'name';
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    const { code, name } = value as Error & { code?: string };
    return { type: name, code, message: value.message, stack: value.stack };
  }
  return value;
}

/**
 * pino-format JSON lines (`level`, `time`, `pid`, base fields, the object's fields, `msg`) written to
 * `sink`. Ours rather than pino: pino would cost every importer its start-up time and memory for a
 * debug switch, and the orchestrator's daemon (benchmarked on memory) logs a few lines a minute.
 */
export function jsonLinesLogger(sink: { write(line: string): unknown }, options: JsonLinesOptions = {}): Logger {
  const { level = 'debug', base = {}, levelFormat = 'number' } = options;
  const write = (lvl: LogLevel) => (obj: object | string, msg?: string) => {
    if (LOG_LEVELS[lvl] < LOG_LEVELS[level]) return;
    const fields = typeof obj === 'string' ? { msg: obj } : { ...obj, msg };
    const head = { level: levelFormat === 'name' ? lvl : LOG_LEVELS[lvl], time: Date.now(), pid: process.pid };
    const record: Record<string, unknown> = { ...head, ...base };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) record[k] = serialise(v);
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ ...head, msg: String(msg ?? (typeof obj === 'string' ? obj : '[unserialisable]')) });
    }
    sink.write(`${line}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * The user's logger, else JSON debug lines on stderr named `name` when env PROCESS_MANAGER_DEBUG=true,
 * else silence. Reads the env when called, never at import.
 */
export function resolveLogger(logger: Logger | undefined, name: string): Logger {
  if (logger) return logger;
  if (process.env.PROCESS_MANAGER_DEBUG !== 'true') return silentLogger;
  return jsonLinesLogger(process.stderr, { base: { name }, levelFormat: 'name' });
}

/** True when `value` has the four logger methods the @pm packages call. */
export function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['debug', 'info', 'warn', 'error'].every((m) => typeof v[m] === 'function');
}
