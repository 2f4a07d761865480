import { basename } from 'node:path';
import { requestDaemon } from '../../daemon/client.js';
import type { AppStatusInfo } from '../../supervisor/events.js';
import type { CommandContext } from '../context.js';
import { colorEnabled } from '../output.js';
import { findProject } from '../project.js';

/** `pm monit`: the running stack in the terminal. Ink and React are loaded by this verb only. */
export async function monitCommand(ctx: CommandContext): Promise<number> {
  const project = findProject(ctx.values.config as string | undefined);
  // Loaded before the daemon is asked: once a socket has been stat'ed (the client's ownership check), Node
  // resolves later imports of symlinked packages (pnpm's layout) without realpath and fails (nodejs/node#51142).
  const { runMonit } = await importWithoutCiFlag(() => import('../../monit/run.js'));
  let initial: AppStatusInfo[];
  try {
    const answer = await requestDaemon(project.paths.socket, { cmd: 'status' }, 10_000);
    initial = answer.status ?? [];
  } catch (error) {
    const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    const absent = code === 'ENOENT' || code === 'ECONNREFUSED';
    // Anything else (a socket of another user, a daemon that answers garbage) keeps its own message.
    ctx.stderr.write(
      absent
        ? `No pm daemon is running for ${project.dir}: start the stack with \`pm start\`, then run \`pm monit\`.\n`
        : `${(error as Error).message}\n`,
    );
    return 1;
  }
  const stdin = process.stdin;
  if (!stdin.isTTY || !ctx.stdout.isTTY) {
    ctx.stderr.write('pm monit needs a terminal (stdin and stdout a TTY); in scripts use `pm status --json` and `pm logs -f`.\n');
    return 1;
  }
  return runMonit({
    socket: project.paths.socket,
    logs: project.paths.logs,
    project: basename(project.dir),
    initial,
    color: colorEnabled(ctx.stdout),
    stdin,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
  });
}

/**
 * Ink draws only the last frame when env CI is set (is-in-ci, read once when Ink is imported). monit runs
 * only on a terminal (checked above), where the live view is the point, so Ink is imported with CI unset.
 */
async function importWithoutCiFlag<T>(load: () => Promise<T>): Promise<T> {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  try {
    return await load();
  } finally {
    for (const [key, value] of Object.entries(saved)) if (value !== undefined) process.env[key] = value;
  }
}
