import { performance } from 'node:perf_hooks';
import { DuplicateNameError, InvalidOptionsError } from '../errors.js';
import { resolveLogger } from '../logger.js';
import { supervisorAnnouncer } from './announce.js';
import { CheckRunner, type CheckResult } from './check-runner.js';
import { createHandler, type HealthHandler } from './handler.js';
import {
  checkDefinitionProblems,
  resolveHealthOptions,
  type CheckDefinition,
  type CheckFunction,
  type CheckOptions,
  type HealthOptions,
} from './options.js';
import { buildReport, checkReport, overallStatus, type CheckReport, type HealthReport, type LifecycleState } from './report.js';

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** A health registry: lifecycle state, named checks, and the HTTP handler that reports them. */
export interface Health {
  /** `initializing` until `setReady()`, then `healthy`, then `shutting_down` for good. */
  readonly state: LifecycleState;
  /** Marks the app ready for traffic: `/readyz` and `/health` turn 200 (if critical checks pass). Ignored once shutting down. */
  setReady(): void;
  /** Marks the app as draining: `/readyz` and `/health` answer 503 from now on; `/livez` stays 200. Called by shutdown. */
  setShuttingDown(): void;
  /**
   * Registers a check (a function with options, or a definition such as `postgresCheck(pool)`);
   * returns a function that removes it (and stops what a built-in check holds).
   * @throws DuplicateNameError (`PM_HEALTH_DUPLICATE_NAME`) when the name is taken
   * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) when the options are wrong
   */
  addCheck(name: string, check: CheckFunction | CheckDefinition, options?: CheckOptions): () => void;
  /** Runs the checks (shared and cached as configured) and returns the report in the default format. */
  report(): Promise<HealthReport>;
  /** The `node:http` handler serving the health, liveness and readiness paths. */
  readonly handler: HealthHandler;
}

/**
 * Creates a health registry. No timers or listeners; when spawned by `pm` (an IPC channel and env
 * `PM_APP_NAME`, read now) it announces its lifecycle to the supervisor unless `announceToSupervisor`
 * is false.
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) listing every problem with `options`
 */
export function createHealth(options: HealthOptions = {}): Health {
  const resolved = resolveHealthOptions(options);
  const logger = resolveLogger(resolved.logger);
  const runners = new Map<string, CheckRunner>();
  // The process start, not this call: the report describes the process.
  const startedAt = new Date(Date.now() - process.uptime() * 1000).toISOString();
  let state: LifecycleState = 'initializing';
  let version = 0;
  const announce = resolved.announceToSupervisor ? supervisorAnnouncer(logger) : null;
  announce?.({ type: 'pm:health', state });

  // What built-in checks hold (a sampler, an agent), released when shutting down or when removed.
  const stops = new Map<CheckRunner, () => void>();
  const stopCheck = (runner: CheckRunner) => {
    const stop = stops.get(runner);
    stops.delete(runner);
    try {
      stop?.();
    } catch (error) {
      logger.warn({ check: runner.name, err: error instanceof Error ? error.message : String(error) }, 'health check stop() failed');
    }
  };

  const addCheck = (name: string, given: CheckFunction | CheckDefinition, checkOptions: CheckOptions = {}): (() => void) => {
    const def: CheckDefinition = typeof given === 'function' ? { ...checkOptions, check: given } : { ...given, ...checkOptions };
    // `addCheck('db', postgresCheck(pool), { critical: false })`: the definition's probe defaults followed its own critical flag.
    if (typeof given !== 'function' && checkOptions.critical === false) {
      def.readiness = checkOptions.readiness ?? false;
      def.liveness = checkOptions.liveness ?? false;
    }
    const problems = typeof name === 'string' && name !== '' ? [] : [`check name must be a non-empty string (got ${JSON.stringify(name)})`];
    problems.push(...checkDefinitionProblems(`check "${name}"`, typeof given === 'function' || isObject(given) ? def : given));
    if (problems.length > 0) throw new InvalidOptionsError('addCheck', problems);
    if (runners.has(name)) throw new DuplicateNameError('check', name);
    const critical = def.critical ?? resolved.critical;
    const probes = { readiness: def.readiness ?? (resolved.readyChecks && critical), liveness: def.liveness ?? false };
    const runner = new CheckRunner(
      name,
      def.check,
      def.timeout ?? resolved.checkTimeout,
      critical,
      def.cacheMs ?? resolved.cacheMs,
      probes,
    );
    runners.set(name, runner);
    if (def.stop) stops.set(runner, def.stop);
    version++;
    logger.debug({ check: name, timeout: runner.timeout, critical, ...probes }, 'health check added');
    return () => {
      if (runners.get(name) === runner) {
        runners.delete(name);
        stopCheck(runner);
        version++;
      }
    };
  };

  for (const [name, def] of Object.entries(options.checks ?? {})) addCheck(name, def);

  // info() gets the default check timeout: a stuck status query must not hang /health (the probe's
  // answer would never come). Late or failing, the report goes out without its fields.
  const readInfo = (): Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined> => {
    if (!resolved.info) return undefined;
    const onError = (error: unknown) => {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'health info() failed; its fields are left out');
      return undefined;
    };
    let value: ReturnType<NonNullable<typeof resolved.info>>;
    try {
      value = resolved.info();
    } catch (error) {
      return onError(error);
    }
    if (!(value instanceof Promise)) return value;
    return new Promise((resolve) => {
      const timeout = resolved.checkTimeout;
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        logger.warn({ timeout }, `health info() did not settle within checkTimeout (${timeout} ms); its fields are left out`);
        resolve(undefined);
      }, timeout);
      // A late info() must not keep an otherwise finished process alive.
      timer.unref();
      value.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (!late) resolve(onError(error)); // already answered without it and warned
        },
      );
    });
  };

  const assemble = (results: ReadonlyArray<readonly [string, CheckResult]>, info: Record<string, unknown> | undefined): HealthReport => {
    const checks: Record<string, CheckReport> = {};
    for (const [name, result] of results) checks[name] = checkReport(result, resolved.exposeDetails);
    return buildReport(
      overallStatus(
        state,
        results.map(([, r]) => r),
      ),
      startedAt,
      checks,
      info,
    );
  };

  // Every check's cached result while all are fresh: the report can then be built synchronously
  // (and memoised by the handler), so checks with a cacheMs cost /health nothing between their runs.
  const allFresh = (): Array<readonly [string, CheckResult]> | undefined => {
    const now = performance.now();
    const results: Array<readonly [string, CheckResult]> = [];
    for (const runner of runners.values()) {
      const result = runner.fresh(now);
      if (!result) return undefined;
      results.push([runner.name, result]);
    }
    return results;
  };

  // Synchronous when no check has to run and info() is synchronous: the common probe costs no promise.
  const produce = (): HealthReport | Promise<HealthReport> => {
    const info = readInfo();
    // Checks are not run while initializing (dependencies may not be up) or shutting down (they are being closed).
    const fresh = state !== 'healthy' ? [] : allFresh();
    if (fresh) return info instanceof Promise ? info.then((i) => assemble(fresh, i)) : assemble(fresh, info);
    const started = [...runners.values()];
    return Promise.all([Promise.all(started.map((r) => r.run())), info]).then(([results, i]) => {
      // A check removed mid-run is dropped: only checks still registered are reported.
      const kept = started.flatMap((r, k) => (runners.get(r.name) === r ? [[r.name, results[k]!] as const] : []));
      return assemble(kept, i);
    });
  };

  /** Undefined when no critical check belongs to the probe (the fast path); else whether all of them pass. */
  const probePasses = (probe: 'readiness' | 'liveness'): Promise<boolean> | undefined => {
    const members = [...runners.values()].filter((r) => r.critical && r.probes[probe]);
    if (members.length === 0) return undefined;
    return Promise.all(members.map((r) => r.run())).then((results) => results.every((r) => r.status === 'pass'));
  };

  const handler = createHandler({
    paths: resolved.paths,
    format: resolved.format,
    notFound: resolved.notFound,
    logger,
    state: () => state,
    version: () => version,
    report: produce,
    probePasses,
    pressure: resolved.pressure,
  });

  return {
    get state() {
      return state;
    },
    setReady() {
      if (state !== 'initializing') return;
      state = 'healthy';
      version++;
      logger.debug('health state: healthy');
      announce?.({ type: 'pm:health', state });
      announce?.({ type: 'pm:ready' });
    },
    setShuttingDown() {
      if (state === 'shutting_down') return;
      state = 'shutting_down';
      version++;
      logger.debug('health state: shutting_down');
      // Samplers and agents of the checks, and the pressure sampler: nothing of ours outlives the drain.
      for (const runner of [...stops.keys()]) stopCheck(runner);
      resolved.pressure?.stop();
      announce?.({ type: 'pm:health', state });
    },
    addCheck,
    report: () => Promise.resolve(produce()),
    handler,
  };
}
