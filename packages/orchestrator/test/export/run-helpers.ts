import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, httpRequest, makeTempDir, waitFor } from '@pm/test-utils';
import { expect } from 'vitest';
import { exportConfig } from '../../src/export/index.js';
import { pmBinPath } from '../../src/export/pm-bin.js';
import { writeExport } from '../../src/export/write.js';
import { alive } from '../helpers.js';
import { loadCase, repoRoot } from './helpers.js';

// Shared by run-tmux.test.ts and run-procfile.test.ts: the exported tmux script and Procfile run the
// real dev-stack example (built express-app and nest-app) on free ports. One test per file: the
// config reads its ports from env when evaluated, and a worker evaluates it once.

const scripts = { api: 'express-app/dist/main.js', agents: 'nest-app/dist/main.js', web: 'web/server.mjs' } as const;
type Name = keyof typeof scripts;

export async function exportDevStack(target: 'tmux' | 'procfile') {
  for (const script of [scripts.api, scripts.agents]) {
    if (!existsSync(join(repoRoot, 'examples', script)))
      throw new Error(`examples/${script} is not built: run pnpm turbo run build --filter @pm/example-dev-stack... first`);
  }
  const ports = { api: await freePort(), agents: await freePort(), web: await freePort() };
  const home = makeTempDir('pm-export-home-');
  const config = await loadCase('dev-stack', {
    API_PORT: String(ports.api),
    AGENTS_PORT: String(ports.agents),
    WEB_PORT: String(ports.web),
    PM_HOME: home,
  });
  const outDir = makeTempDir(`pm-export-${target}-`);
  const result = exportConfig(config, target, { outDir, pm: [process.execPath, pmBinPath()] });
  expect(writeExport(outDir, result.files).ok).toBe(true);
  return { ports, outDir };
}

/** The stack's processes, found by script and by the PORT this test gave them, with their start times. */
export function stackProcesses(ports: Record<Name, number>): Map<Name, { pid: number; start: number }> {
  const found = new Map<Name, { pid: number; start: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      for (const name of Object.keys(scripts) as Name[]) {
        if (cmdline.includes(scripts[name]) && environ.includes(`PORT=${ports[name]}`)) {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
          found.set(name, { pid: Number(entry), start });
        }
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

export async function expectStackUp(ports: Record<Name, number>): Promise<Map<Name, { pid: number; start: number }>> {
  for (const name of ['api', 'agents'] as const) {
    expect((await httpRequest(`http://127.0.0.1:${ports[name]}/readyz`)).status).toBe(200);
    expect((await httpRequest(`http://127.0.0.1:${ports[name]}/livez`)).status).toBe(200);
  }
  // The web proxy reaches both back ends through the URLs the export passed it.
  expect((await httpRequest(`http://127.0.0.1:${ports.web}/api/readyz`)).status).toBe(200);
  expect((await httpRequest(`http://127.0.0.1:${ports.web}/agents/readyz`)).status).toBe(200);
  const procs = stackProcesses(ports);
  expect([...procs.keys()].sort()).toEqual(['agents', 'api', 'web']);
  // Dependency order: each started after the one it depends on.
  expect(procs.get('api')!.start).toBeLessThanOrEqual(procs.get('agents')!.start);
  expect(procs.get('agents')!.start).toBeLessThanOrEqual(procs.get('web')!.start);
  return procs;
}

export async function expectTornDown(procs: Map<Name, { pid: number }>, ports: Record<Name, number>): Promise<void> {
  await waitFor(() => [...procs.values()].every((p) => !alive(p.pid)), { timeout: 10_000, message: 'the stack to exit' });
  for (const port of Object.values(ports)) await expect(httpRequest(`http://127.0.0.1:${port}/`, { timeout: 1000 })).rejects.toThrow();
  expect(stackProcesses(ports).size).toBe(0);
}
