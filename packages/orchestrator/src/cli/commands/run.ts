import type { Logger } from '../../logger.js';
import { endLeftovers } from '../../session/leftovers.js';
import { openSession } from '../../session/session.js';
import type { Orchestrator } from '../../supervisor/orchestrator.js';
import type { CommandContext } from '../context.js';
import { colorEnabled, paint, prefixColors } from '../output.js';
import { findProject } from '../project.js';

/** Prints what `pm run` shows of the orchestrator's events: app output behind its prefix, pm's own lines behind `pm |`. */
function printEvents(ctx: CommandContext, orchestrator: Orchestrator, prefix: { apps: Map<string, string>; pm: string }): void {
  const errColor = colorEnabled(ctx.stderr);
  const pm = prefix.pm;
  orchestrator.on((event) => {
    switch (event.type) {
      case 'output':
        ctx.stdout.write(`${prefix.apps.get(event.app)} ${event.line}\n`);
        break;
      case 'ready':
        ctx.stdout.write(`${pm} ${event.app} ready (pid ${event.pid})\n`);
        break;
      case 'exit':
        ctx.stdout.write(`${pm} ${event.app} exited (${event.code !== null ? `code ${event.code}` : `signal ${event.signal}`})\n`);
        break;
      case 'restart':
        ctx.stdout.write(`${pm} ${event.app} restarting in ${event.delay} ms (${event.reason})\n`);
        break;
      case 'health-state':
        if (event.state === 'shutting_down') ctx.stdout.write(`${pm} ${event.app} is shutting down (reported by @pm/health)\n`);
        break;
      case 'start-failed':
      case 'errored':
        ctx.stderr.write(`${paint(`${event.app}: ${event.reason}`, 'red', errColor)}\n`);
        break;
      default:
        break;
    }
  });
}

/** `pm run [names]`: foreground supervisor; Ctrl-C stops all, a second Ctrl-C kills at once. */
export async function runCommand(ctx: CommandContext): Promise<number> {
  const project = findProject(ctx.values.config as string | undefined);
  const color = colorEnabled(ctx.stdout);
  const errColor = colorEnabled(ctx.stderr);
  // Until the config is known, `pm |` is as wide as it needs to be.
  let pmPrefix = paint('pm |', 'gray', color);
  const say = (msg?: string) => void ctx.stderr.write(`${pmPrefix} ${msg ?? ''}\n`);
  const stateLog: Logger = { debug() {}, info() {}, warn: (_obj, msg) => say(msg), error: (_obj, msg) => say(msg) };
  // The daemon's lock, so a daemon (`pm start`) and this foreground supervisor never run one project at once.
  // Recorded like the daemon's state, so apps left by a killed `pm run` are found by `pm stop` and the next supervisor.
  const opening = await openSession({
    configFile: project.configFile,
    paths: project.paths,
    mode: 'run',
    logger: stateLog,
    onWarning: (w) => void ctx.stderr.write(`${paint('warning', 'yellow', errColor)} ${w}\n`),
    orchestrator: { output: true, logPollInterval: 100 },
  });
  if (!opening.session) {
    // Two supervisors would fight over the same ports and log files.
    const holder = opening.running.lock;
    ctx.stderr.write(
      holder?.metadata.mode === 'run'
        ? `Another \`pm run\` (PID ${holder.pid}) already runs this project: Ctrl-C it first (or kill -TERM ${holder.pid}).\n`
        : `A pm daemon (PID ${holder?.pid ?? '?'}) is already running this project: \`pm stop\` it first, or follow it with \`pm logs -f\`.\n`,
    );
    return 1;
  }
  const { session } = opening;
  const { config, orchestrator } = session;
  const width = Math.max(...config.apps.map((a) => a.name.length));
  const prefixes = new Map(
    config.apps.map((a, i) => [a.name, paint(`${a.name.padEnd(width)} |`, prefixColors[i % prefixColors.length]!, color)]),
  );
  pmPrefix = paint(`${'pm'.padEnd(width)} |`, 'gray', color);
  if (session.adopted.length > 0)
    ctx.stdout.write(`${pmPrefix} adopted ${session.adopted.join(', ')} (left running by an earlier supervisor)\n`);
  printEvents(ctx, orchestrator, { apps: prefixes, pm: pmPrefix });

  let stopping = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // Second Ctrl-C: no more patience. Only what is still the process each run started (pid + start
      // time): the group id of a run that ended long ago may belong to someone else.
      void endLeftovers(orchestrator.records(), { now: true }).then(() => resolveDone(130));
      return;
    }
    stopping = true;
    ctx.stdout.write(`\n${pmPrefix} ${signal}: stopping all apps (again to kill at once)\n`);
    void orchestrator.close().then(() => {
      ctx.stdout.write(`${pmPrefix} all stopped\n`);
      resolveDone(0);
    });
  };
  session.onSignals(['SIGINT', 'SIGTERM', 'SIGHUP'], onSignal);
  try {
    await orchestrator.start(ctx.positionals.length > 0 ? ctx.positionals : undefined);
  } catch (error) {
    // Keep supervising: the restart policy may still bring it up; the user sees why above.
    ctx.stderr.write(`${paint((error as Error).message, 'red', errColor)}\n`);
    // …but once nothing is left to supervise, say so and fail: never sit there as if all were well.
    const nothingLeft = (): boolean => orchestrator.records().every((r) => r.status === 'stopped' || r.status === 'errored');
    const check = (): void => {
      if (stopping || !nothingLeft()) return;
      stopping = true;
      say('nothing is running: every app failed to start or gave up');
      void orchestrator.close().then(() => resolveDone(1));
    };
    orchestrator.on((event) => {
      if (event.type === 'status') check();
    });
    check();
  }
  const code = await done;
  await session.close();
  return code;
}
