import { setTimeout as delay } from 'node:timers/promises';
import { findPortHolder } from '@pm/lock';
import { pidAlive } from '../../supervisor/proc.js';
import type { CommandContext } from '../context.js';

/** `pm free-port <port> [--kill]`: the safe `fuser -k`. */
export async function freePortCommand(ctx: CommandContext): Promise<number> {
  const port = Number(ctx.positionals[0]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    ctx.stderr.write('pm free-port needs a port number from 1 to 65535.\n');
    return 2;
  }
  const holder = await findPortHolder(port);
  if (!holder) {
    ctx.stdout.write(`Port ${port} is free.\n`);
    return 0;
  }
  if (holder.pid === null) {
    ctx.stderr.write(`Port ${port} is in use by a process of another user (or in another namespace); pm cannot see or end it.\n`);
    return 1;
  }
  ctx.stdout.write(`Port ${port} is used by PID ${holder.pid}${holder.command ? ` (${holder.command})` : ''}.\n`);
  if (!ctx.values.kill) return 0;
  if (holder.pid === process.pid) return 1;
  process.kill(holder.pid, 'SIGTERM');
  const deadline = Date.now() + 3000;
  while (pidAlive(holder.pid) && Date.now() < deadline) await delay(25);
  if (pidAlive(holder.pid)) process.kill(holder.pid, 'SIGKILL');
  while (pidAlive(holder.pid) && Date.now() < deadline + 2000) await delay(25);
  ctx.stdout.write(`Ended PID ${holder.pid}; port ${port} is free.\n`);
  return 0;
}
