import { InvalidOptionsError } from '../errors.js';
import { checkKnownKeys, isRecord } from '../validate.js';
import { brandPressure, type Pressure, type PressureReason, type PressureState } from './pressure.js';
import { sampleLoad, type LoadSample } from './sampler.js';

/** Options of `underPressure`: at least one limit. */
export interface UnderPressureOptions {
  /** Shed while the worst event-loop delay of the last window is above this, ms. @default none */
  maxEventLoopDelayMs?: number;
  /** Shed while V8's heap in use is above this, bytes. @default none */
  maxHeapUsedBytes?: number;
  /** Shed while the resident set size is above this, bytes. @default none */
  maxRssBytes?: number;
  /** Shed while the event loop was busy more than this share of the last window (0 to 1). @default none */
  maxEventLoopUtilization?: number;
  /** `Retry-After` sent with a shed request, seconds. @default 10 */
  retryAfter?: number;
  /** Sampling window, ms: how soon an overload is seen and its end noticed. @default 100 */
  sampleIntervalMs?: number;
}

/** Defaults of {@link UnderPressureOptions} (the README is tested against it). */
export const underPressureDefaults = { retryAfter: 10, sampleIntervalMs: 100 } as const;

const limits = {
  maxEventLoopDelayMs: { reason: 'eventLoopDelay', of: (s: LoadSample) => s.eventLoopDelayMs },
  maxEventLoopUtilization: { reason: 'eventLoopUtilization', of: (s: LoadSample) => s.eventLoopUtilization },
  maxHeapUsedBytes: { reason: 'heapUsed', of: (s: LoadSample) => s.heapUsedBytes },
  maxRssBytes: { reason: 'rss', of: (s: LoadSample) => s.rssBytes },
} as const satisfies Record<string, { reason: PressureReason; of: (s: LoadSample) => number }>;
type LimitKey = keyof typeof limits;

const optionKeys = Object.keys({
  maxEventLoopDelayMs: true,
  maxHeapUsedBytes: true,
  maxRssBytes: true,
  maxEventLoopUtilization: true,
  retryAfter: true,
  sampleIntervalMs: true,
} satisfies Record<keyof UnderPressureOptions, true>);

function validate(options: UnderPressureOptions): void {
  if (!isRecord(options as unknown)) throw new InvalidOptionsError('underPressure', ['options must be an object']);
  const problems: string[] = [];
  checkKnownKeys(problems, '', options as Record<string, unknown>, optionKeys);
  const positive = (key: keyof UnderPressureOptions, max = Infinity, integer = false) => {
    const value = options[key];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max || (integer && !Number.isInteger(value))) {
      problems.push(
        `${key} must be a${integer ? ' whole' : ''} number > 0${max === Infinity ? '' : ` and <= ${max}`} (got ${JSON.stringify(value)})`,
      );
    }
  };
  positive('maxEventLoopDelayMs');
  positive('maxHeapUsedBytes');
  positive('maxRssBytes');
  positive('maxEventLoopUtilization', 1);
  positive('retryAfter', 86_400, true);
  positive('sampleIntervalMs', 60_000);
  if ((Object.keys(limits) as LimitKey[]).every((key) => options[key] === undefined)) {
    problems.push(
      'give at least one limit (maxEventLoopDelayMs, maxEventLoopUtilization, maxHeapUsedBytes or maxRssBytes): without one nothing is ever shed',
    );
  }
  if (problems.length > 0) throw new InvalidOptionsError('underPressure', problems);
}

/**
 * Load shedding, for `createHealth({ pressure: underPressure({ … }) })` (or an adapter's health
 * options). Samples the event loop (one `monitorEventLoopDelay` histogram shared with
 * `eventLoopCheck`), its utilization and memory every `sampleIntervalMs` on an unref'd timer, starting
 * now. While a limit is exceeded, app routes get 503 with `Retry-After`, `/readyz` 503 with the
 * numbers, and `/livez` stays 200 (an overloaded process is alive: restarting it would shed nothing).
 * The per-request cost is one field read. Sampling stops when health shuts down, or on `stop()`.
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) listing every problem with `options`
 */
export function underPressure(options: UnderPressureOptions): Pressure {
  validate(options);
  const active = (Object.keys(limits) as LimitKey[]).filter((key) => options[key] !== undefined);
  const reasonsOf = (sample: LoadSample): PressureReason[] =>
    active.filter((key) => limits[key].of(sample) > options[key]!).map((key) => limits[key].reason);

  let overLimit = false;
  let stopped = false;
  const sampler = sampleLoad(options.sampleIntervalMs ?? underPressureDefaults.sampleIntervalMs, (sample) => {
    overLimit = reasonsOf(sample).length > 0;
  });
  overLimit = reasonsOf(sampler.latest()).length > 0;

  return brandPressure({
    get overLimit() {
      return overLimit;
    },
    retryAfter: options.retryAfter ?? underPressureDefaults.retryAfter,
    state(): PressureState {
      const sample = sampler.latest();
      const reasons = stopped ? [] : reasonsOf(sample);
      return { overLimit: reasons.length > 0, reasons, ...sample };
    },
    stop() {
      stopped = true;
      overLimit = false;
      sampler.stop();
    },
  });
}
