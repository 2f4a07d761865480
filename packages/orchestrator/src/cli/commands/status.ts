import { existsSync } from 'node:fs';
import { requestDaemon } from '../../daemon/client.js';
import { supervisorHolder } from '../../session/lock.js';
import { StateStore } from '../../session/state-store.js';
import type { AppStatusInfo } from '../../supervisor/events.js';
import { sameProcess } from '../../supervisor/proc.js';
import type { CommandContext } from '../context.js';
import { colorEnabled, paint, statusTable } from '../output.js';
import { findProject, type Project } from '../project.js';

// Its own module, importing little: `pm status` is the call scripts make in loops.

/** A row read from the state file: `supervised` says whether a live supervisor (a `pm run`) still watches it. */
type StateRow = AppStatusInfo & { supervised: boolean };

/** `pm status [--json]`. */
export async function statusCommand(ctx: CommandContext): Promise<number> {
  const project = findProject(ctx.values.config as string | undefined);
  let status: AppStatusInfo[];
  try {
    const response = await requestDaemon(project.paths.socket, { cmd: 'status' }, 10_000);
    status = response.status ?? [];
  } catch {
    const rows = await statusFromState(project);
    status = rows;
    const unsupervised = rows.filter((row) => !row.supervised && row.pid !== null).map((row) => row.name);
    // On stderr, so `--json` output stays parseable; the rows say it too (`supervised: false`).
    if (unsupervised.length > 0) {
      ctx.stderr.write(
        `${paint('warning', 'yellow', colorEnabled(ctx.stderr))} no pm supervisor runs this project: ${unsupervised.join(', ')} ` +
          `${unsupervised.length === 1 ? 'runs' : 'run'} unsupervised (not restarted, not stopped on exit). ` +
          '`pm start` adopts them; `pm stop all` ends them.\n',
      );
    }
  }
  if (ctx.values.json) ctx.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  else ctx.stdout.write(`${statusTable(status, colorEnabled(ctx.stdout))}\n`);
  return 0;
}

async function statusFromState(project: Project): Promise<StateRow[]> {
  if (!existsSync(project.paths.state) && !existsSync(`${project.paths.state}.prev`)) return [];
  const { state } = new StateStore(project.paths.state).load();
  // A foreground `pm run` has no socket but supervises all the same.
  const supervised = (await supervisorHolder(project.paths)) !== null;
  const now = Date.now();
  return Promise.all(
    (state?.apps ?? []).map(async (r) => {
      const live = r.pid !== null && (await sameProcess(r.pid, r.startToken));
      return {
        name: r.name,
        status: live ? r.status : r.status === 'errored' ? 'errored' : 'stopped',
        pid: live ? r.pid : null,
        restarts: r.restarts,
        uptime: live && r.startedAt ? Math.round((now - r.startedAt) / 1000) : 0,
        cpu: null,
        memory: null,
        port: r.port,
        supervised,
      };
    }),
  );
}
