import { existsSync } from 'node:fs';
import { requestDaemon } from '../../daemon/client.js';
import { StateStore } from '../../session/state-store.js';
import type { AppStatusInfo } from '../../supervisor/events.js';
import { sameProcess } from '../../supervisor/proc.js';
import type { CommandContext } from '../context.js';
import { colorEnabled, statusTable } from '../output.js';
import { findProject, type Project } from '../project.js';

// Its own module, importing little: `pm status` is the call scripts make in loops.

/** `pm status [--json]`. */
export async function statusCommand(ctx: CommandContext): Promise<number> {
  const project = findProject(ctx.values.config as string | undefined);
  let status: AppStatusInfo[];
  try {
    const response = await requestDaemon(project.paths.socket, { cmd: 'status' }, 10_000);
    status = response.status ?? [];
  } catch {
    status = await statusFromState(project);
  }
  if (ctx.values.json) ctx.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  else ctx.stdout.write(`${statusTable(status, colorEnabled(ctx.stdout))}\n`);
  return 0;
}

async function statusFromState(project: Project): Promise<AppStatusInfo[]> {
  if (!existsSync(project.paths.state) && !existsSync(`${project.paths.state}.prev`)) return [];
  const { state } = new StateStore(project.paths.state).load();
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
      } satisfies AppStatusInfo;
    }),
  );
}
