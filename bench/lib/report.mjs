// Shared helpers for every bench script: statistics, a plain-text table, and the per-bench
// markdown result that run-all.mjs assembles into docs/benchmarks.md.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Value at quantile q (0..1) of an array of numbers. */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

export const median = (values) => quantile(values, 0.5);

/** Formats a number of milliseconds with a precision that suits its size. */
export function ms(value) {
  if (!Number.isFinite(value)) return 'n/a';
  if (value < 1) return `${(value * 1000).toFixed(0)} µs`;
  if (value < 100) return `${value.toFixed(2)} ms`;
  return `${value.toFixed(0)} ms`;
}

/** Renders rows (arrays of cells) as a markdown table; the first row is the header. */
export function table(rows) {
  const [header, ...body] = rows;
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}

/**
 * Prints a bench section to stdout and stores it as results/<name>.md for run-all.mjs.
 * `ratioLine` is the last line: the ratio that answers the bench's question.
 */
export function report(name, { title, description, tables, ratioLine }) {
  const text = [`## ${title}`, '', description, '', ...tables.flatMap((t) => [t, '']), `**${ratioLine}**`, ''].join('\n');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name}.md`);
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
  process.stdout.write(`${text}\n`);
  process.stdout.write(`${ratioLine}\n`);
}
