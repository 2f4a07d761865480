import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { writeFileAtomic } from '../../daemon/atomic-write.js';
import { pmBinPath } from '../../export/pm-bin.js';
import { shJoin } from '../../export/quote.js';
import { runCommand, userSystemd } from '../../startup/systemd.js';
import { startupUnit } from '../../startup/unit.js';
import type { CommandContext } from '../context.js';
import { findProject } from '../project.js';

async function unitFor(ctx: CommandContext) {
  const project = findProject(ctx.values.config as string | undefined);
  const { config } = await loadConfig({ file: project.configFile });
  return startupUnit(config, { configFile: project.configFile, pmBin: pmBinPath() });
}

/** Prints each command, then runs it; stops at the first that fails. */
function runAll(ctx: CommandContext, commands: string[][], optional: (words: string[]) => boolean = () => false): boolean {
  for (const words of commands) {
    ctx.stdout.write(`$ ${shJoin(words)}\n`);
    const run = runCommand(words);
    if (run.output) ctx.stdout.write(`${run.output}\n`);
    if (!run.ok && !optional(words)) {
      ctx.stderr.write(`pm: \`${shJoin(words)}\` failed; fix the cause above and run the command again.\n`);
      return false;
    }
  }
  return true;
}

const linger = (): string[] => ['loginctl', 'enable-linger', userInfo().username];

/** `pm startup [--print]`: installs and enables a systemd user unit that runs this project's stack at boot. */
export async function startupCommand(ctx: CommandContext): Promise<number> {
  const unit = await unitFor(ctx);
  const commands = [
    ['systemctl', '--user', 'daemon-reload'],
    ['systemctl', '--user', 'enable', '--now', unit.name],
    // Without lingering, a user's units start at login, not at boot.
    linger(),
  ];
  if (ctx.values.print) {
    ctx.stdout.write(`# ${unit.file}\n${unit.content}\n# then:\n${commands.map((c) => shJoin(c)).join('\n')}\n`);
    return 0;
  }
  const systemd = userSystemd();
  if (!systemd.ok) {
    ctx.stderr.write(`${systemd.reason}\n`);
    return 1;
  }
  mkdirSync(dirname(unit.file), { recursive: true });
  ctx.stdout.write(`Writing ${unit.file}\n`);
  writeFileAtomic(unit.file, unit.content, { mode: 0o644 });
  // Lingering can be refused by policy; the unit then still starts at login, so that is not a failure.
  if (!runAll(ctx, commands, (words) => words[0] === 'loginctl')) return 1;
  ctx.stdout.write(
    `The stack now runs under ${unit.name}. Status: systemctl --user status ${unit.name}; logs: journalctl --user -u ${unit.name}\n`,
  );
  return 0;
}

/** `pm unstartup [--print]`: disables and removes the unit `pm startup` installed. */
export async function unstartupCommand(ctx: CommandContext): Promise<number> {
  const unit = await unitFor(ctx);
  const commands = [
    ['systemctl', '--user', 'disable', '--now', unit.name],
    ['rm', unit.file],
    ['systemctl', '--user', 'daemon-reload'],
  ];
  if (ctx.values.print) {
    ctx.stdout.write(`${commands.map((c) => shJoin(c)).join('\n')}\n`);
    return 0;
  }
  if (!existsSync(unit.file)) {
    ctx.stdout.write(`No startup unit for this project (${unit.file} does not exist): nothing to remove.\n`);
    return 0;
  }
  const systemd = userSystemd();
  if (!systemd.ok) {
    // Nothing can be running under a manager that is not there: removing the file is all there is to do.
    ctx.stdout.write(`${systemd.reason}\nRemoving ${unit.file} only.\n`);
    rmSync(unit.file, { force: true });
    return 0;
  }
  const [disable, , reload] = commands;
  if (!runAll(ctx, [disable!])) return 1;
  ctx.stdout.write(`$ ${shJoin(commands[1]!)}\n`);
  rmSync(unit.file, { force: true });
  return runAll(ctx, [reload!]) ? 0 : 1;
}
