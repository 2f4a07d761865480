// Small validators shared by every options resolver: each pushes a readable problem instead of
// throwing, so one error can list everything that is wrong.

/** True for a plain object (not null, not an array). */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Pushes a problem unless `value` is a finite number ≥ `min` (undefined passes: the default applies). */
export function checkMs(problems: string[], label: string, value: unknown, min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    problems.push(`${label} must be a finite number of milliseconds >= ${min} (got ${JSON.stringify(value)})`);
  }
}

/** Pushes a problem unless `value` is a boolean (undefined passes: the default applies). */
export function checkBoolean(problems: string[], label: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') problems.push(`${label} must be true or false (got ${JSON.stringify(value)})`);
}
