import { InvalidOptionsError } from '../errors.js';
import { isLogger, type Logger } from '../logger.js';
import { isPressure, type Pressure } from '../pressure/pressure.js';
import { checkBoolean, checkKnownKeys, checkMs, isRecord } from '../validate.js';

/**
 * A health check: resolves (with anything but `false`) when healthy; throws, rejects or returns
 * `false` when not. `signal` aborts when the check's timeout elapses so it can stop its work.
 * The built-in checks (`postgresCheck`, …) also put numbers (latency, pool sizes) in the report.
 */
export type CheckFunction = (signal: AbortSignal) => unknown;

/** Per-check options (also the shape of an entry in {@link HealthOptions.checks}). */
export interface CheckOptions {
  /** Milliseconds before the check is cut off and reported as failed; at most 2147483647 (about 24.8 days). @default the health `checkTimeout` */
  timeout?: number;
  /** A failing critical check makes the whole report `unhealthy` (503); a non-critical one only shows in `checks`. @default true */
  critical?: boolean;
  /** Reuse the last result for this many ms (0: run on every request, still shared by concurrent requests). @default the health `cacheMs` */
  cacheMs?: number;
  /**
   * Run by `/readyz`: a failure takes the instance out of the load balancer until it passes again.
   * Only for critical checks. @default `true` when the health `readyChecks` is on and the check is critical, else `false`
   */
  readiness?: boolean;
  /**
   * Run by `/livez`: a failure tells Kubernetes to restart the container. Only for critical checks of
   * the process itself (event loop, memory), never for a dependency: a database outage would restart
   * every healthy pod. Not run while shutting down. @default false
   */
  liveness?: boolean;
}

/** A check given with its options, as in `checks: { db: { check: () => db.ping(), timeout: 500 } }`. */
export interface CheckDefinition extends CheckOptions {
  /** The check itself. */
  check: CheckFunction;
  /** Releases what the check holds (a sampler, an agent); called once when health starts shutting down or the check is removed. @default none */
  stop?: () => void;
}

/** Paths served by the handler; matched exactly, query string ignored. */
export interface HealthPaths {
  /** Full report. @default '/health' */
  health?: string;
  /** Liveness: 200 while the event loop runs, even while draining. @default '/livez' */
  live?: string;
  /** Readiness: 503 while initializing and while shutting down. @default '/readyz' */
  ready?: string;
}

/** Options of `createHealth`. */
export interface HealthOptions {
  /** Checks to register up front, by name (more can be added with `addCheck`). @default {} */
  checks?: Record<string, CheckFunction | CheckDefinition>;
  /**
   * Extra fields merged into the report (e.g. active agents, database status). May be async; its
   * fields never override the built-in ones. Bounded by `checkTimeout`: when it throws, rejects or
   * has not settled by then, the report is answered without its fields and a warning is logged.
   * @default none
   */
  info?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Default timeout of a check, in ms; also bounds `info()`. At most 2147483647 (about 24.8 days). @default 1000 */
  checkTimeout?: number;
  /** Default for whether checks are critical. @default true */
  critical?: boolean;
  /** Default result cache of a check, in ms; 0 runs checks per request (concurrent requests still share one run). @default 0 */
  cacheMs?: number;
  /** Paths to serve. @default { health: '/health', live: '/livez', ready: '/readyz' } */
  paths?: HealthPaths;
  /** Report format: our JSON, or the IETF draft `application/health+json` (pass/fail/warn). @default 'default' */
  format?: 'default' | 'ietf';
  /** Include error stacks and codes of failing checks in the report. Keep off on public endpoints. @default false */
  exposeDetails?: boolean;
  /** Make `/readyz` also run the critical checks (off: readiness is the lifecycle state only). @default false */
  readyChecks?: boolean;
  /** Answer other paths with 404 when the handler is used without `next` (with `next`, it always falls through). @default true */
  notFound?: boolean;
  /**
   * Tell the `pm` supervisor the lifecycle state over IPC, so `pm` needs no `ready` config for this
   * app: at creation `{ type: 'pm:health', state: 'initializing' }`, then `{ type: 'pm:health', state }`
   * on every change and `{ type: 'pm:ready' }` on `setReady()`. Only when the process has an open IPC
   * channel and env `PM_APP_NAME` (both read at `createHealth()`); sends never throw. @default true
   */
  announceToSupervisor?: boolean;
  /**
   * Load shedding from `underPressure({ … })`: while over a limit, the handler answers app routes (the
   * ones it passes to `next`) with 503 and `Retry-After`, `/readyz` answers 503 with the pressure,
   * `/livez` stays 200. @default none
   */
  pressure?: Pressure;
  /** pino-compatible logger. @default silent; JSON lines on stderr when env PROCESS_MANAGER_DEBUG=true */
  logger?: Logger;
}

/** Defaults of {@link HealthOptions}, in one place (the README is tested against it). */
export const healthDefaults = {
  checkTimeout: 1000,
  critical: true,
  cacheMs: 0,
  paths: { health: '/health', live: '/livez', ready: '/readyz' },
  format: 'default',
  exposeDetails: false,
  readyChecks: false,
  notFound: true,
  announceToSupervisor: true,
} as const;

/** Options after defaults and validation. */
export interface ResolvedHealthOptions {
  checkTimeout: number;
  critical: boolean;
  cacheMs: number;
  paths: Required<HealthPaths>;
  format: 'default' | 'ietf';
  exposeDetails: boolean;
  readyChecks: boolean;
  notFound: boolean;
  announceToSupervisor: boolean;
  info: HealthOptions['info'];
  pressure: Pressure | undefined;
  logger: Logger | undefined;
}

// Every option key, so a typo (`timout`, `check` for `checks`) is reported instead of ignored. Typed as
// a Record of the interface's keys: adding an option without listing it here does not compile.
const healthOptionKeys = Object.keys({
  checks: true,
  info: true,
  checkTimeout: true,
  critical: true,
  cacheMs: true,
  paths: true,
  format: true,
  exposeDetails: true,
  readyChecks: true,
  notFound: true,
  announceToSupervisor: true,
  pressure: true,
  logger: true,
} satisfies Record<keyof HealthOptions, true>);
const checkDefinitionKeys = Object.keys({
  check: true,
  timeout: true,
  critical: true,
  cacheMs: true,
  readiness: true,
  liveness: true,
  stop: true,
} satisfies Record<keyof CheckDefinition, true>);
const pathKeys = Object.keys({ health: true, live: true, ready: true } satisfies Record<keyof HealthPaths, true>);

/** Problems with one check's options, for `checks` and `addCheck` alike. */
export function checkDefinitionProblems(label: string, definition: unknown): string[] {
  const problems: string[] = [];
  if (typeof definition === 'function') return problems;
  if (!isRecord(definition) || typeof definition.check !== 'function') {
    return [`${label} must be a function or { check: function, timeout?, critical?, cacheMs?, readiness?, liveness?, stop? }`];
  }
  checkKnownKeys(problems, `${label}.`, definition, checkDefinitionKeys);
  checkMs(problems, `${label}.timeout`, definition.timeout, 1, { timer: true, noLimit: true });
  checkBoolean(problems, `${label}.critical`, definition.critical);
  // Compared with a clock, never handed to setTimeout: any finite length works.
  checkMs(problems, `${label}.cacheMs`, definition.cacheMs, 0, { timer: false });
  checkBoolean(problems, `${label}.readiness`, definition.readiness);
  checkBoolean(problems, `${label}.liveness`, definition.liveness);
  if (definition.stop !== undefined && typeof definition.stop !== 'function') problems.push(`${label}.stop must be a function`);
  for (const probe of ['readiness', 'liveness'] as const) {
    if (definition[probe] === true && definition.critical === false) {
      problems.push(
        `${label}.${probe} is true but critical is false: an informational check never fails a probe (drop ${probe} or make it critical)`,
      );
    }
  }
  return problems;
}

/** Validates every option and reports every problem at once. */
export function resolveHealthOptions(options: HealthOptions): ResolvedHealthOptions {
  const problems: string[] = [];
  if (!isRecord(options as unknown)) throw new InvalidOptionsError('createHealth', ['options must be an object']);
  checkKnownKeys(problems, '', options as Record<string, unknown>, healthOptionKeys);
  checkMs(problems, 'checkTimeout', options.checkTimeout, 1, { timer: true, noLimit: true });
  checkBoolean(problems, 'critical', options.critical);
  checkMs(problems, 'cacheMs', options.cacheMs, 0, { timer: false });
  checkBoolean(problems, 'exposeDetails', options.exposeDetails);
  checkBoolean(problems, 'readyChecks', options.readyChecks);
  checkBoolean(problems, 'notFound', options.notFound);
  checkBoolean(problems, 'announceToSupervisor', options.announceToSupervisor);
  if (options.format !== undefined && options.format !== 'default' && options.format !== 'ietf') {
    problems.push(`format must be 'default' or 'ietf' (got ${JSON.stringify(options.format)})`);
  }
  if (options.info !== undefined && typeof options.info !== 'function') problems.push('info must be a function returning an object');
  if (options.pressure !== undefined && !isPressure(options.pressure))
    problems.push('pressure must be the result of underPressure({ ... })');
  if (options.logger !== undefined && !isLogger(options.logger))
    problems.push('logger must have debug, info, warn and error methods (a pino logger works)');
  if (options.checks !== undefined) {
    if (!isRecord(options.checks)) problems.push('checks must be an object of name -> check');
    else for (const [name, def] of Object.entries(options.checks)) problems.push(...checkDefinitionProblems(`checks.${name}`, def));
  }
  const given: Record<string, unknown> = isRecord(options.paths) ? options.paths : {};
  if (options.paths !== undefined && !isRecord(options.paths)) problems.push('paths must be an object { health?, live?, ready? }');
  checkKnownKeys(problems, 'paths.', given, pathKeys);
  const paths = {
    ...healthDefaults.paths,
    ...Object.fromEntries(Object.entries(given).filter(([k]) => pathKeys.includes(k))),
  } as Required<HealthPaths>;
  for (const [key, value] of Object.entries(paths)) {
    if (typeof value !== 'string' || !value.startsWith('/') || value.includes('?')) {
      problems.push(`paths.${key} must be a path starting with "/" and without a query (got ${JSON.stringify(value)})`);
    }
  }
  if (new Set(Object.values(paths)).size !== 3) problems.push(`paths must be three different paths (got ${JSON.stringify(paths)})`);
  if (problems.length > 0) throw new InvalidOptionsError('createHealth', problems);

  return {
    checkTimeout: options.checkTimeout ?? healthDefaults.checkTimeout,
    critical: options.critical ?? healthDefaults.critical,
    cacheMs: options.cacheMs ?? healthDefaults.cacheMs,
    paths,
    format: options.format ?? healthDefaults.format,
    exposeDetails: options.exposeDetails ?? healthDefaults.exposeDetails,
    readyChecks: options.readyChecks ?? healthDefaults.readyChecks,
    notFound: options.notFound ?? healthDefaults.notFound,
    announceToSupervisor: options.announceToSupervisor ?? healthDefaults.announceToSupervisor,
    info: options.info,
    pressure: options.pressure,
    logger: options.logger,
  };
}
