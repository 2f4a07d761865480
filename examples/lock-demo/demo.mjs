// Walks through what @pm/lock does for an app: one instance, a clear refusal, instant takeover
// after a crash, and a clean release. Run with `pnpm demo` from the repository root.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = fileURLToPath(new URL('./app.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pm-lock-demo-'));
const pidFile = join(dir, 'lock-demo.pid');
const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const env = { ...process.env, PID_FILE_PATH: pidFile, PORT: String(port) };
const say = (text) => console.log(`\n\x1b[1m▶ ${text}\x1b[0m`);

function start(label) {
  const child = spawn(process.execPath, [app], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const prefix = (chunk) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((line) => {
        output.push(line);
        console.log(`  [${label}] ${line}`);
      });
  child.stdout.on('data', prefix);
  child.stderr.on('data', prefix);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const listening = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => chunk.toString().includes('listening') && resolve());
    exited.then(() => reject(new Error(`${label} exited`)));
  });
  listening.catch(() => {}); // only awaited for copies expected to start
  return { child, exited, listening, output };
}

try {
  say(`Start the app (lock file ${pidFile})`);
  const first = start('first');
  await first.listening;

  say('Start a second copy with the same lock: it refuses and names the first');
  const second = start('second');
  console.log(`  second copy exited with code ${(await second.exited).code}`);

  say('Crash the first copy with SIGKILL: its lock file stays behind');
  first.child.kill('SIGKILL');
  await first.exited;
  console.log(`  lock file still there: ${existsSync(pidFile)} (pid ${JSON.parse(readFileSync(pidFile, 'utf8')).pid})`);

  say('Start again: the stale lock is taken over at once, no timeout to wait out');
  const started = Date.now();
  const third = start('third');
  await third.listening;
  console.log(`  ready ${Date.now() - started} ms after start`);

  say('Stop it with SIGTERM: it releases the lock on the way out');
  third.child.kill('SIGTERM');
  await third.exited;
  console.log(`  lock file removed: ${!existsSync(pidFile)}`);
  console.log('\nDone. See packages/lock/README.md for the API.');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
