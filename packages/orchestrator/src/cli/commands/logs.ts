import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../context.js';
import { lastLines, LogFollower } from '../log-tail.js';
import { colorEnabled, paint, prefixColors } from '../output.js';
import { findProject } from '../project.js';

// Often enough that a fast writer's log is rarely rotated twice between two looks (each look is one stat or two).
const FOLLOW_POLL_MS = 50;

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
  const followers = new Map<string, LogFollower>();
  for (const name of names) {
    const file = join(dir, `${name}.log`);
    for (const line of lastLines(file, count)) ctx.stdout.write(`${prefix(name)}${line}\n`);
    followers.set(name, new LogFollower(file));
  }
  if (!ctx.values.follow) return 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (const [name, follower] of followers) for (const line of follower.poll()) ctx.stdout.write(`${prefix(name)}${line}\n`);
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
