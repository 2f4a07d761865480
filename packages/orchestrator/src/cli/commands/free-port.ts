import { setTimeout as delay } from 'node:timers/promises';
import { describePortHolder, findPortHolder, type PortHolder } from '@pm/lock';
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
  ctx.stdout.write(`Port ${port} is used by ${describePortHolder(holder)}.\n`);
  if (!ctx.values.kill) return 0;
  // Several processes can share a listening socket (a forked server): end each holder in turn, and
  // say the port is free only once nobody holds it.
  const ended = new Set<number>();
  for (let current: PortHolder | null = holder; current; current = await nextHolder(port, ended.size > 0)) {
    if (current.pid === null) {
      ctx.stderr.write(`Port ${port} is still in use, by a process of another user (or in another namespace); pm cannot see or end it.\n`);
      return 1;
    }
    if (current.pid === process.pid || ended.has(current.pid)) {
      ctx.stderr.write(`Port ${port} is still held by PID ${current.pid}, which did not let go of it.\n`);
      return 1;
    }
    await endProcess(current.pid);
    ended.add(current.pid);
    ctx.stdout.write(`Ended ${describePortHolder(current)}.\n`);
  }
  ctx.stdout.write(`Port ${port} is free.\n`);
  return 0;
}

/**
 * Who holds the port now. Right after a holder died the kernel may list its socket for a moment with no
 * process behind it: give that a second to clear before calling the port held by someone we cannot see.
 */
async function nextHolder(port: number, justEnded: boolean): Promise<PortHolder | null> {
  let holder = await findPortHolder(port);
  for (let i = 0; justEnded && holder?.pid === null && i < 20; i++) {
    await delay(50);
    holder = await findPortHolder(port);
  }
  return holder;
}

/** SIGTERM, then SIGKILL after 3 s; a process that is already gone is fine. */
async function endProcess(pid: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 3000;
  while (pidAlive(pid) && Date.now() < deadline) await delay(25);
  if (pidAlive(pid)) signal('SIGKILL');
  while (pidAlive(pid) && Date.now() < deadline + 2000) await delay(25);
}
