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

// Often enough that a fast writer's log is rarely rotated twice between two looks (each look is one stat or two).
const FOLLOW_POLL_MS = 50;
// How long a changed `.1` may look like a rotation in progress before it is taken as it is.
const SETTLE_MS = 2000;

/** The newest rotated copy (`<log>.1`): a stamp that changes with each rotation, and its size (0 when absent). */
function rotatedCopy(file: string): { stamp: string; size: number } {
  try {
    const copy = statSync(`${file}.1`);
    return { stamp: `${copy.ino}:${copy.mtimeMs}:${copy.size}`, size: copy.size };
  } catch {
    return { stamp: '', size: 0 };
  }
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
  const all = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => f.slice(0, -4))
        .sort()
    : [];
  const names = ctx.positionals.length > 0 ? ctx.positionals : all;
  for (const name of names) {
    if (!all.includes(name)) {
      ctx.stderr.write(`No log for "${name}" in ${dir}${all.length ? ` (logs: ${all.join(', ')})` : ''}.\n`);
      return 1;
    }
  }
  const color = colorEnabled(ctx.stdout);
  const width = Math.max(0, ...names.map((n) => n.length));
  const prefix = (name: string) =>
    names.length > 1 ? `${paint(`${name.padEnd(width)} |`, prefixColors[all.indexOf(name) % prefixColors.length]!, color)} ` : '';
  const offsets = new Map<string, number>();
  const rotations = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, `${name}.log`);
    for (const line of lastLines(file, count)) ctx.stdout.write(`${prefix(name)}${line}\n`);
    offsets.set(name, statSync(file).size);
    rotations.set(name, rotatedCopy(file).stamp);
  }
  if (!ctx.values.follow) return 0;
  const partial = new Map<string, string>();
  const unsettled = new Map<string, number>();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (const name of names) {
        const file = join(dir, `${name}.log`);
        // The copy before and after the log's size: a rotation in between is seen either way.
        const before = rotatedCopy(file);
        let size: number;
        try {
          size = statSync(file).size;
        } catch {
          continue;
        }
        const copy = rotatedCopy(file);
        let offset = offsets.get(name)!;
        let text = partial.get(name) ?? '';
        // A rotation shifts .1 away, copies the log to a new .1, then truncates the log. It is complete
        // (and ours to handle) only once the log is shorter than the new copy; before that, look again later.
        const copyChanged = before.stamp !== rotations.get(name) || copy.stamp !== rotations.get(name);
        if (copyChanged && size < copy.size && copy.size >= offset) {
          // What we had not read yet is at the end of the copy; the log itself starts again from 0.
          rotations.set(name, copy.stamp);
          if (copy.size > offset) text += readRange(`${file}.1`, offset, copy.size);
          offset = 0;
        } else if (!copyChanged && size < offset)
          offset = 0; // emptied by hand: read it from its start
        else if (copyChanged) {
          // Mid-rotation: read nothing now, so nothing is read twice. A copy changed by anything else
          // (deleted or touched by hand) is accepted after a while, so following never stalls.
          const since = unsettled.get(name) ?? Date.now();
          unsettled.set(name, since);
          if (Date.now() - since < SETTLE_MS) continue;
          rotations.set(name, copy.stamp);
          if (size < offset) offset = 0;
        }
        unsettled.delete(name);
        if (size > offset) text += readRange(file, offset, size);
        offsets.set(name, size);
        const lines = text.split('\n');
        partial.set(name, lines.pop()!);
        for (const line of lines) ctx.stdout.write(`${prefix(name)}${line}\n`);
      }
    }, FOLLOW_POLL_MS);
    const stop = () => {
      clearInterval(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
