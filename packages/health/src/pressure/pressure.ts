// The contract between underPressure() and createHealth's handler, in a file of its own so that
// validating `createHealth({ pressure })` does not pull the sampler into apps that never shed load.

/** Which limit is exceeded. */
export type PressureReason = 'eventLoopDelay' | 'eventLoopUtilization' | 'heapUsed' | 'rss';

/** The load as last sampled and whether it is over a limit. */
export interface PressureState {
  /** True while at least one limit is exceeded: app routes get 503. */
  overLimit: boolean;
  /** The limits exceeded (empty when not over). */
  reasons: PressureReason[];
  /** Worst event-loop delay in the last window, ms. */
  eventLoopDelayMs: number;
  /** Share of the last window the event loop was busy, 0 to 1. */
  eventLoopUtilization: number;
  /** Heap in use, bytes. */
  heapUsedBytes: number;
  /** Resident set size, bytes. */
  rssBytes: number;
}

const BRAND = Symbol.for('@pm/health.pressure');

/** Load shedding made by `underPressure()`; pass it as `createHealth({ pressure })`. */
export interface Pressure {
  /** True while over a limit; a field read per request, refreshed every sample. */
  readonly overLimit: boolean;
  /** The `Retry-After` header value sent with a shed request, in seconds. */
  readonly retryAfter: number;
  /** The current state with the numbers. */
  state(): PressureState;
  /** Stops sampling (createHealth calls it when shutting down); from then on nothing is shed. Idempotent. */
  stop(): void;
}

/** Brands an object as a {@link Pressure} (a registered symbol: the ESM and CommonJS builds agree on it). */
export function brandPressure<T extends Omit<Pressure, never>>(value: T): T {
  Object.defineProperty(value, BRAND, { value: true, enumerable: false });
  return value;
}

/** True for an object made by `underPressure()` (of either build). */
export function isPressure(value: unknown): value is Pressure {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
