import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../context.js';
import { colorEnabled, paint, prefixColors } from '../output.js';
import { findProject } from '../project.js';

function readRange(file: string, from: number, to: number): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(to - from);
    const n = readSync(fd, buffer, 0, buffer.length, from);
    return buffer.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/** The last `count` lines of a file, reading only its tail. */
function lastLines(file: string, count: number): string[] {
  const size = statSync(file).size;
  let from = Math.max(0, size - 64 * 1024);
  let text = readRange(file, from, size);
  while (text.split('\n').length <= count + 1 && from > 0) {
    from = Math.max(0, from - 256 * 1024);
    text = readRange(file, from, size);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (from > 0) lines.shift(); // partial first line
  return lines.slice(-count);
}

/** `pm logs [name] [-f] [--lines N]`. */
export async function logsCommand(ctx: CommandContext): Promise<number> {
  const project = findProject(ctx.values.config as string | undefined);
  const dir = project.paths.logs;
  const count = Number(ctx.values.lines ?? 20);
  if (!Number.isInteger(count) || count < 0) {
    ctx.stderr.write('--lines takes a whole number\n');
    return 2;
  }
  const all = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => f.slice(0, -4)).sort() : [];
  const names = ctx.positionals.length > 0 ? ctx.positionals : all;
  for (const name of names) {
    if (!all.includes(name)) {
      ctx.stderr.write(`No log for "${name}" in ${dir}${all.length ? ` (logs: ${all.join(', ')})` : ''}.\n`);
      return 1;
    }
  }
  const color = colorEnabled(ctx.stdout);
  const width = Math.max(0, ...names.map((n) => n.length));
  const prefix = (name: string) => (names.length > 1 ? `${paint(`${name.padEnd(width)} |`, prefixColors[all.indexOf(name) % prefixColors.length]!, color)} ` : '');
  const offsets = new Map<string, number>();
  for (const name of names) {
    const file = join(dir, `${name}.log`);
    for (const line of lastLines(file, count)) ctx.stdout.write(`${prefix(name)}${line}\n`);
    offsets.set(name, statSync(file).size);
  }
  if (!ctx.values.follow) return 0;
  const partial = new Map<string, string>();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (const name of names) {
        const file = join(dir, `${name}.log`);
        let size: number;
        try {
          size = statSync(file).size;
        } catch {
          continue;
        }
        let offset = offsets.get(name)!;
        if (size < offset) offset = 0; // rotated
        if (size === offset) continue;
        const text = (partial.get(name) ?? '') + readRange(file, offset, size);
        offsets.set(name, size);
        const lines = text.split('\n');
        partial.set(name, lines.pop()!);
        for (const line of lines) ctx.stdout.write(`${prefix(name)}${line}\n`);
      }
    }, 200);
    const stop = () => {
      clearInterval(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
