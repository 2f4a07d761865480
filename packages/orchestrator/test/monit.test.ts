import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import type { AppStatusInfo } from '../src/index.js';
import { makeProject, pm, pmBin, pmStart } from './cli-helpers.js';
import { fixture } from './helpers.js';
import { TmuxPane, tmuxAvailable } from './tmux.js';

const traceImports = fixture('trace-imports.mjs');
const haveTmux = tmuxAvailable();
if (!haveTmux) {
  if (process.env.CI === 'true') throw new Error('tmux is required under CI for the pm monit tests');
  console.warn('skipping the pm monit terminal tests: tmux is not installed');
}

async function status(dir: string): Promise<AppStatusInfo[]> {
  const result = await pm(['status', '--json'], { cwd: dir });
  return JSON.parse(result.stdout) as AppStatusInfo[];
}

/** A started two-app stack: `talker` says a line on SIGUSR2, `idle` only its first line. */
async function startStack(): Promise<string> {
  const { dir } = makeProject({
    apps: [
      { name: 'talker', script: fixture('say-on-signal.mjs') },
      { name: 'idle', script: fixture('say-on-signal.mjs') },
    ],
    dashboard: false,
  });
  await pmStart(dir);
  return dir;
}

/** The table row of `name` on the screen. */
const row = (screen: string, name: string) => screen.split('\n').find((line) => line.slice(2).startsWith(`${name} `)) ?? '';

// Loading Ink and React takes seconds on a busy machine: the terminal tests get room for two or three starts.
describe('pm monit', { timeout: 90_000 }, () => {
  it('with no daemon running says so and exits 1', async () => {
    const { dir } = makeProject({ apps: [{ name: 'a', script: fixture('sleeper.mjs') }] });
    const result = await pm(['monit'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`No pm daemon is running for ${dir}`);
    expect(result.stderr).toContain('pm start');
  });

  it('pm status does not load Ink or React (only pm monit does)', async () => {
    const dir = await startStack();
    const trace = join(makeTempDir(), 'imports.txt');
    const run = await pm(['status'], { cwd: dir, env: { NODE_OPTIONS: `--import ${traceImports}`, TRACE_IMPORTS_FILE: trace } });
    expect(run.code, run.stderr).toBe(0);
    const loaded = readFileSync(trace, 'utf8').split('\n');
    expect(loaded.some((url) => url.includes('/dist/cli.js'))).toBe(true); // the trace sees the CLI's modules
    expect(loaded.filter((url) => /\/(ink|react|react-reconciler|yoga-layout)\//.test(url))).toEqual([]);
  });

  it.skipIf(!haveTmux)('shows both apps in 80x24, restarts with r, follows the log live, and q leaves the terminal clean', async () => {
    const dir = await startStack();
    const pane = await TmuxPane.open({ cwd: dir, env: { LANG: 'C.UTF-8' } });
    pane.type('echo before-monit');
    pane.press('Enter');
    pane.type(`node ${pmBin} monit`);
    pane.press('Enter');
    const before = await status(dir);
    const first = await pane.waitForScreen(
      (s) => row(s, 'talker').includes(String(before[0]!.pid)) && row(s, 'idle') !== '' && s.includes(`talker ${before[0]!.pid} up`),
      'both apps and the log of the first',
    );
    const lines = first.split('\n');
    expect(lines[0]).toMatch(/^pm monit/);
    expect(row(first, 'idle')).toContain(String(before[1]!.pid));
    expect(row(first, 'talker')).toMatch(/^> talker\s+running \d+s/);
    expect(first).toContain('── talker log');
    expect(first).toContain(`talker ${before[0]!.pid} up`);
    expect(first).toContain('r restart');
    expect(pane.variable('alternate_on')).toBe('1');

    // r restarts the selected app: a new pid and one more restart in `pm status --json`, and on the screen.
    pane.press('r');
    const after = await waitFor(
      async () => {
        const now = await status(dir);
        return now[0]!.pid !== before[0]!.pid && now[0]!.status === 'running' ? now : null;
      },
      { timeout: 15_000, message: 'talker restarted' },
    );
    expect(after[0]!.restarts).toBe(before[0]!.restarts + 1);
    expect(after[1]!.pid).toBe(before[1]!.pid);
    // Its first line, followed across the restart (the signal below would kill it before its handler is set).
    await pane.waitForScreen(
      (s) => row(s, 'talker').includes(String(after[0]!.pid)) && s.includes(`talker ${after[0]!.pid} up`),
      'the new run',
    );

    // A line the app prints shows in the log pane within a couple of seconds.
    const t0 = Date.now();
    process.kill(after[0]!.pid!, 'SIGUSR2');
    await pane.waitForScreen((s) => s.includes('said 1'), 'the new log line', 3000);
    console.info(`pm monit: a new log line was on screen ${Date.now() - t0} ms after it was printed`);

    // j selects the next app and shows its log; s stops it, t starts it again.
    pane.press('j');
    await pane.waitForScreen((s) => s.includes('── idle log') && row(s, 'idle').startsWith('>'), 'idle selected');
    pane.press('s');
    await waitFor(async () => (await status(dir))[1]!.status === 'stopped', { timeout: 15_000, message: 'idle stopped' });
    await pane.waitForScreen((s) => /stopped/.test(row(s, 'idle')), 'idle shown stopped');
    pane.press('t');
    await waitFor(async () => (await status(dir))[1]!.status === 'running', { timeout: 15_000, message: 'idle started' });
    pane.press('k');
    await pane.waitForScreen((s) => s.includes('── talker log'), 'talker selected again');

    // q quits: the screen from before comes back, without a trace of the view, and the exit code is 0.
    pane.press('q');
    await waitFor(() => pane.variable('alternate_on') === '0', { timeout: 5000, message: 'the normal screen back' });
    const back = pane.screen();
    expect(back).toContain('before-monit');
    expect(back).not.toContain('pm monit');
    expect(back).not.toContain('talker log');
    expect(pane.variable('cursor_flag')).toBe('1');
    pane.type('echo "exit=$?"');
    pane.press('Enter');
    await pane.waitForScreen((s) => s.includes('exit=0'), 'exit code 0');
  });

  it.skipIf(!haveTmux)('draws no colour code with NO_COLOR, and colours without it; Ctrl-C quits', async () => {
    const dir = await startStack();
    // eslint-disable-next-line no-control-regex -- the escape character is what is looked for
    const sgr = (screen: string) => screen.match(/\u001b\[[0-9;]*m/g) ?? [];
    const colour = (code: string) =>
      code
        .slice(2, -1)
        .split(';')
        .some((p) => /^(3\d|4\d|9\d|10\d)$/.test(p));
    const colours = async (env: Record<string, string>, trace?: string) => {
      const pane = await TmuxPane.open({ cwd: dir, env: { LANG: 'C.UTF-8', ...(trace ? { TRACE_IMPORTS_FILE: trace } : {}), ...env } });
      pane.type(`node ${trace ? `--import ${traceImports} ` : ''}${pmBin} monit`);
      pane.press('Enter');
      await pane.waitForScreen((s) => row(s, 'talker').includes('running') && row(s, 'idle').includes('running'), 'both apps');
      const screen = pane.screen({ escapes: true });
      pane.press('C-c');
      await waitFor(() => pane.variable('alternate_on') === '0', { timeout: 5000, message: 'Ctrl-C quits' });
      expect(pane.screen()).not.toContain('pm monit');
      pane.kill();
      return sgr(screen);
    };
    const trace = join(makeTempDir(), 'imports.txt');
    const plain = await colours({ NO_COLOR: '1' }, trace);
    // The positive control of the import test above: the same trace does see Ink when monit runs.
    expect(readFileSync(trace, 'utf8')).toMatch(/\/ink\/build\/index\.js/);
    expect(plain.filter(colour)).toEqual([]);
    expect(plain.filter((code) => code !== '\u001b[0m' && code !== '\u001b[39m' && code !== '\u001b[49m')).toEqual([]);
    const coloured = await colours({});
    expect(coloured.filter(colour).length).toBeGreaterThan(0);
  });
});
