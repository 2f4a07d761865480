// The main demo: a whole dev stack under the `pm` supervisor, start to finish, in about 10 seconds.
// `pnpm demo` at the repository root builds everything and runs this.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pmBin = join(here, 'node_modules', '.bin', 'pm');
const env = { ...process.env };
const apiPort = Number(env.API_PORT ?? 3100);
const say = (text) => console.log(`\n\x1b[1m▶ ${text}\x1b[0m`);
const indent = (text) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

/** Runs a pm verb to completion and returns its output. */
function pm(...args) {
  const result = spawnSync(pmBin, args, { cwd: here, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pm ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}
const status = () => JSON.parse(pm('status', '--json'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  say('pm start: the API, then the agents service (it depends on the API), then the web front end');
  const started = Date.now();
  console.log(indent(pm('start')));
  console.log(`  all ready in ${Date.now() - started} ms (${JSON.stringify(status().map((a) => a.name))})`);

  say("Each back end answers its health endpoints (through the web front end's proxy)");
  const webPort = status().find((a) => a.name === 'web').port;
  for (const path of ['/api/health', '/agents/readyz']) {
    const res = await fetch(`http://127.0.0.1:${webPort}${path}`);
    const body = await res.json();
    console.log(
      `  GET ${path} → ${res.status} ${JSON.stringify({ status: body.status, pid: body.pid, checks: body.checks && Object.keys(body.checks) })}`,
    );
  }

  say('Crash the API with kill -9: pm restarts it at once');
  const before = status().find((a) => a.name === 'api');
  const killedAt = Date.now();
  process.kill(before.pid, 'SIGKILL');
  let after;
  while (!(after = status().find((a) => a.name === 'api' && a.status === 'running' && a.pid !== before.pid))) await sleep(20);
  console.log(`  pid ${before.pid} → ${after.pid}, running again ${Date.now() - killedAt} ms after the kill (restarts: ${after.restarts})`);

  say('A second copy of the API started by hand refuses to run and names the one pm supervises');
  const second = spawnSync(process.execPath, [join(here, '..', 'express-app', 'dist', 'main.js')], {
    cwd: here,
    env: { ...env, PORT: String(apiPort + 50), PID_FILE_PATH: join(env.PM_HOME ?? '.pm', 'data', 'api.pid') },
    encoding: 'utf8',
    timeout: 15_000,
  });
  console.log(indent(second.stderr.split('\n').filter(Boolean).slice(0, 6).join('\n')));
  console.log(`  (exit code ${second.status})`);

  say('pm stop: everything stops in reverse dependency order, process trees included');
  const pids = status()
    .map((a) => a.pid)
    .filter(Boolean);
  console.log(indent(pm('stop', 'all')));
  const survivors = pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  console.log(`  processes left behind: ${survivors.length}`);

  console.log(`
Done. To keep the stack running:
  pnpm --filter @pm/example-dev-stack dev      # foreground, prefixed logs, Ctrl-C stops all
  pnpm --filter @pm/example-dev-stack start    # background; then: status, stop, or npx pm dashboard
Config: examples/dev-stack/pm.config.mjs`);
}

try {
  await main();
} catch (error) {
  console.error(`\n${error instanceof Error ? error.message : error}`);
  spawnSync(pmBin, ['stop', 'all'], { cwd: here, env, stdio: 'ignore' }); // leave nothing behind on failure
  process.exitCode = 1;
}
