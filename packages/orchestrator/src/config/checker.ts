import type { ConfigProblem } from '../errors.js';
import { parseSize } from './size.js';

// Hand-written rather than a schema library: the checks are few, and writing them here keeps every
// message in the "path: expected X, got Y" form the CLI prints, with no extra dependency to ship.

/** True for a plain object (not null, not an array). */
export { isObject } from '@pm/kernel/guards';

/** A value as a problem message shows it. */
export const show = (v: unknown): string => {
  if (v instanceof RegExp) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** The longest delay Node's timers accept. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Collects config problems, each as "path: expected X, got Y". */
export class Checker {
  readonly problems: ConfigProblem[] = [];

  /** Records a problem; with a third argument the message also shows the value found. */
  add(path: string, expected: string, ...got: unknown[]): void {
    this.problems.push({ path, message: got.length > 0 ? `expected ${expected}, got ${show(got[0])}` : `expected ${expected}` });
  }

  /** Records a problem whose message is not of the "expected X" form. */
  say(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  keys(path: string, value: Record<string, unknown>, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.problems.push({ path: `${path}.${key}`, message: `unknown key (allowed: ${allowed.join(', ')})` });
    }
  }

  int(path: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(path, `an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}`, value);
    }
  }

  /** Milliseconds: an integer timers can hold (setTimeout fires at once for anything above 2^31 - 1). */
  ms(path: string, value: unknown, min: number): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_TIMER_MS) {
      this.add(
        path,
        `a whole number of milliseconds from ${min} to ${MAX_TIMER_MS} (about 24.8 days, the longest a timer can wait)`,
        value,
      );
    }
  }

  size(path: string, value: unknown): void {
    if (value === undefined) return;
    if ((typeof value !== 'string' && typeof value !== 'number') || parseSize(value) === null) {
      this.add(path, "a size in bytes or like '10M', '512K', '1G'", value);
    }
  }

  tcp(path: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value === 'number') return this.int(path, value, 1, 65535);
    if (typeof value !== 'string' || !/^(?:[^:]+:|\[[^\]]+\]:)?(?:\d{1,5}|\$\{PORT\})$/.test(value)) {
      this.add(path, "a port number or 'host:port'", value);
    }
  }

  url(path: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value !== 'string' || !/^https?:\/\/\S+$/.test(value) || !URL.canParse(value.replaceAll('${PORT}', '1'))) {
      this.add(path, 'an http:// or https:// URL', value);
    }
  }
}
