import { loadConfig } from '../../config/load.js';
import { ensureDaemon, requestDaemon, daemonRunning } from '../../daemon/client.js';
import type { DaemonResponse } from '../../daemon/protocol.js';
import { endLeftover } from '../../session/leftovers.js';
import { stopHint, supervisorHolder } from '../../session/lock.js';
import { StateStore } from '../../session/state-store.js';
import type { CommandContext } from '../context.js';
import { colorEnabled, paint, statusTable } from '../output.js';
import { findProject, type Project } from '../project.js';

function names(ctx: CommandContext): string[] | undefined {
  return ctx.positionals.length > 0 ? ctx.positionals : undefined;
}

function printResult(ctx: CommandContext, response: DaemonResponse): number {
  if (response.status) ctx.stdout.write(`${statusTable(response.status, colorEnabled(ctx.stdout))}\n`);
  if (!response.ok) {
    ctx.stderr.write(
      `${paint('error', 'red', colorEnabled(ctx.stderr))} ${response.error?.code ?? ''}: ${response.error?.message ?? 'failed'}\n`,
    );
    return 1;
  }
  return 0;
}

/** A ticker on stderr while waiting, only on a terminal: piped output stays quiet. */
function progress(ctx: CommandContext, label: string): () => void {
  if (!ctx.stderr.isTTY) return () => undefined;
  const t0 = Date.now();
  const timer = setInterval(() => ctx.stderr.write(`\r${label} ${((Date.now() - t0) / 1000).toFixed(0)}s`), 1000);
  return () => {
    clearInterval(timer);
    if (Date.now() - t0 >= 1000) ctx.stderr.write('\r\u001b[K');
  };
}

/** `pm start [names]`. */
export async function startCommand(ctx: CommandContext): Promise<number> {
  const project = findProject(ctx.values.config as string | undefined);
  // Load here as well as in the daemon: config errors and PM2 warnings belong on this terminal.
  const { warnings } = await loadConfig({ file: project.configFile });
  for (const w of warnings) ctx.stderr.write(`${paint('warning', 'yellow', colorEnabled(ctx.stderr))} ${w}\n`);
  await ensureDaemon({ paths: project.paths, configFile: project.configFile, cliScript: ctx.cliScript });
  const done = progress(ctx, 'starting…');
  try {
    return printResult(ctx, await requestDaemon(project.paths.socket, { cmd: 'start', names: names(ctx) }));
  } finally {
    done();
  }
}

/** `pm restart [name|all]`. */
export async function restartCommand(ctx: CommandContext): Promise<number> {
  const project = findProject(ctx.values.config as string | undefined);
  if (!(await daemonRunning(project.paths))) return startCommand(ctx);
  const done = progress(ctx, 'restarting…');
  try {
    return printResult(ctx, await requestDaemon(project.paths.socket, { cmd: 'restart', names: names(ctx) }));
  } finally {
    done();
  }
}

/** `pm stop [name|all]`: through the daemon, or straight from the state file when the daemon is gone. */
export async function stopCommand(ctx: CommandContext): Promise<number> {
  const project = findProject(ctx.values.config as string | undefined);
  if (await daemonRunning(project.paths)) {
    return printResult(ctx, await requestDaemon(project.paths.socket, { cmd: 'stop', names: names(ctx) }));
  }
  return stopOrphans(ctx, project);
}

/** Without a daemon, end every recorded process (app tree and saved strays) that is still the one recorded (pid + start time). */
async function stopOrphans(ctx: CommandContext, project: Project): Promise<number> {
  const holder = await supervisorHolder(project.paths);
  if (holder) {
    // Its apps are supervised, not orphans: ending them here would only make it restart them.
    ctx.stderr.write(
      holder.mode === 'run'
        ? `A foreground \`pm run\` (PID ${holder.pid}) supervises this project: stop it with Ctrl-C in its terminal (or ${stopHint(holder)}).\n`
        : `A pm daemon (PID ${holder.pid}) supervises this project but does not answer on ${project.paths.socket}; see ${project.paths.daemonLog}. Stop it: ${stopHint(holder)}.\n`,
    );
    return 1;
  }
  const store = new StateStore(project.paths.state);
  const { state, problem } = store.load();
  if (problem) ctx.stderr.write(`${problem.message}\n`);
  if (!state) {
    ctx.stdout.write('Nothing is running (no daemon, no state).\n');
    return 0;
  }
  const wanted = names(ctx);
  let stopped = 0;
  await Promise.all(
    state.apps.map(async (record) => {
      if (wanted && !wanted.includes('all') && !wanted.includes(record.name)) return;
      // With the stop settings saved in the record: the user's config is never evaluated here.
      if (await endLeftover(record)) stopped++;
      record.status = 'stopped';
      record.pid = null;
      record.startToken = null;
      record.strays = [];
    }),
  );
  store.save({ ...state, savedAt: new Date().toISOString() });
  ctx.stdout.write(`No daemon was running; stopped ${stopped} process tree${stopped === 1 ? '' : 's'} it left.\n`);
  return 0;
}

/** `pm dashboard`. */
export async function dashboardCommand(ctx: CommandContext): Promise<number> {
  const project = findProject(ctx.values.config as string | undefined);
  if (!(await daemonRunning(project.paths))) {
    ctx.stderr.write('No pm daemon is running for this project: start the stack with `pm start` first.\n');
    return 1;
  }
  const response = await requestDaemon(project.paths.socket, { cmd: 'dashboard' });
  if (!response.ok) {
    ctx.stderr.write(`${response.error?.message}\n`);
    return 1;
  }
  ctx.stdout.write(`${String(response.data?.url)}\n`);
  return 0;
}
