import { acquireInstanceLock, InstanceAlreadyRunningError, type InstanceLock } from '@pm/lock';
import { loadConfig } from '../../config/load.js';
import { daemonRunning } from '../../daemon/client.js';
import { StateStore } from '../../daemon/state-store.js';
import { persistState, recoverPrevious } from '../../daemon/state-sync.js';
import type { Logger } from '../../logger.js';
import { ensurePmHome } from '../../safe-fs/safe-folder.js';
import { createOrchestrator } from '../../supervisor/orchestrator.js';
import { pidAlive, startTokenSync } from '../../supervisor/proc.js';
import type { CommandContext } from '../context.js';
import { colorEnabled, paint, prefixColors } from '../output.js';
import { findProject } from '../project.js';

/** `pm run [names]`: foreground supervisor; Ctrl-C stops all, a second Ctrl-C kills at once. */
export async function runCommand(ctx: CommandContext): Promise<number> {
  const project = findProject(ctx.values.config as string | undefined);
  if (await daemonRunning(project.paths)) {
    // Two supervisors would fight over the same ports and log files.
    ctx.stderr.write('A pm daemon is already running this project: `pm stop` it first, or follow it with `pm logs -f`.\n');
    return 1;
  }
  // The daemon's lock, so a daemon (`pm start`) and this foreground supervisor never run one project at once.
  ensurePmHome(project.paths);
  let lock: InstanceLock;
  try {
    lock = await acquireInstanceLock({
      name: 'pm-daemon',
      path: project.paths.lock,
      metadata: { mode: 'run', config: project.configFile },
      releaseOnExit: true,
    });
  } catch (error) {
    if (!(error instanceof InstanceAlreadyRunningError)) throw error;
    ctx.stderr.write(
      `Another pm supervisor (PID ${error.lock?.pid ?? '?'}) already runs this project: \`pm stop\` it, or Ctrl-C the other \`pm run\`.\n`,
    );
    return 1;
  }
  const { config, warnings } = await loadConfig({ file: project.configFile });
  const color = colorEnabled(ctx.stdout);
  const errColor = colorEnabled(ctx.stderr);
  for (const w of warnings) ctx.stderr.write(`${paint('warning', 'yellow', errColor)} ${w}\n`);
  const width = Math.max(...config.apps.map((a) => a.name.length));
  const prefixes = new Map(
    config.apps.map((a, i) => [a.name, paint(`${a.name.padEnd(width)} |`, prefixColors[i % prefixColors.length]!, color)]),
  );
  const pmPrefix = paint(`${'pm'.padEnd(width)} |`, 'gray', color);
  const orchestrator = createOrchestrator(config, { logDir: project.paths.logs, output: true, logPollInterval: 100 });
  // Recorded like the daemon's, so apps left by a killed `pm run` are found by `pm stop` and the next supervisor.
  const store = new StateStore(project.paths.state);
  const say = (msg?: string) => void ctx.stderr.write(`${pmPrefix} ${msg ?? ''}\n`);
  const stateLog: Logger = { debug() {}, info() {}, warn: (_obj, msg) => say(msg), error: (_obj, msg) => say(msg) };
  const adopted = await recoverPrevious(orchestrator, store, new Set(config.apps.map((a) => a.name)), stateLog);
  if (adopted.length > 0) ctx.stdout.write(`${pmPrefix} adopted ${adopted.join(', ')} (left running by an earlier supervisor)\n`);
  const state = persistState(orchestrator, store, project.configFile, stateLog);
  orchestrator.on((event) => {
    switch (event.type) {
      case 'output':
        ctx.stdout.write(`${prefixes.get(event.app)} ${event.line}\n`);
        break;
      case 'ready':
        ctx.stdout.write(`${pmPrefix} ${event.app} ready (pid ${event.pid})\n`);
        break;
      case 'exit':
        ctx.stdout.write(`${pmPrefix} ${event.app} exited (${event.code !== null ? `code ${event.code}` : `signal ${event.signal}`})\n`);
        break;
      case 'restart':
        ctx.stdout.write(`${pmPrefix} ${event.app} restarting in ${event.delay} ms (${event.reason})\n`);
        break;
      case 'health-state':
        if (event.state === 'shutting_down') ctx.stdout.write(`${pmPrefix} ${event.app} is shutting down (reported by @pm/health)\n`);
        break;
      case 'start-failed':
      case 'errored':
        ctx.stderr.write(`${paint(`${event.app}: ${event.reason}`, 'red', errColor)}\n`);
        break;
      default:
        break;
    }
  });

  let stopping = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // Second Ctrl-C: no more patience. Only the groups of runs alive now, each checked to still be
      // the process we started: the group id of a run that ended long ago may belong to someone else.
      for (const { pid, startToken } of orchestrator.records()) {
        if (pid === null || !pidAlive(pid)) continue;
        const now = startTokenSync(pid); // undefined without /proc: then alive is all we can know
        if (startToken !== null && now !== undefined && now !== startToken) continue;
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      resolveDone(130);
      return;
    }
    stopping = true;
    ctx.stdout.write(`\n${pmPrefix} ${signal}: stopping all apps (again to kill at once)\n`);
    void orchestrator.close().then(() => {
      ctx.stdout.write(`${pmPrefix} all stopped\n`);
      resolveDone(0);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    await orchestrator.start(ctx.positionals.length > 0 ? ctx.positionals : undefined);
  } catch (error) {
    // Keep supervising: the restart policy may still bring it up; the user sees why above.
    ctx.stderr.write(`${paint((error as Error).message, 'red', errColor)}\n`);
  }
  const code = await done;
  state.close();
  await lock.release();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
  return code;
}
