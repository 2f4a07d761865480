// Takes the dashboard screenshots the docs show (docs/screenshots/*.png, committed): starts a two-app stack under
// `pm start` in a temporary PM_HOME, opens the dashboard in Debian's chromium through playwright-core (no browser is
// ever downloaded), saves the PNGs, and stops everything (`pm stop all` also ends the daemon).
// Run: pnpm --filter @pm/docs screenshots   (CHROMIUM=/path/to/chromium to use another binary)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const docsDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const stackDir = join(docsDir, 'scripts', 'screenshot-stack');
const outDir = join(docsDir, 'screenshots');
const pmBin = join(docsDir, 'node_modules', '.bin', 'pm');

/** A port nothing listens on right now (the OS picks it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function pm(env, ...args) {
  const result = spawnSync(pmBin, args, { cwd: stackDir, env, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`pm ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Waits until the page's text matches `pattern` `count` times (rows arrive over Server-Sent Events). */
function waitForText(page, pattern, count) {
  // eslint-disable-next-line no-undef -- runs in the page, where `document` exists
  const seen = ([source, n]) => (document.body.innerText.match(new RegExp(source, 'g')) ?? []).length >= n;
  return page.waitForFunction(seen, [pattern.source, count], { timeout: 15_000 });
}

async function shoot(url, env) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 640 }, deviceScaleFactor: 1 });
    await page.goto(url);
    await waitForText(page, /running/, 2);
    await page.waitForTimeout(1500); // one more update, so cpu/memory figures are filled in
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, 'dashboard.png'), fullPage: true });

    // A crash: kill -9 the api; the supervisor restarts it and the dashboard shows the restart and its events.
    const api = JSON.parse(pm(env, 'status', '--json')).find((app) => app.name === 'api');
    process.kill(api.pid, 'SIGKILL');
    await waitForText(page, /api restart/, 1).catch(() => waitForText(page, /api exit/, 1));
    await waitForText(page, /api ready/, 2);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(outDir, 'dashboard-restart.png'), fullPage: true });
  } finally {
    await browser.close();
  }
}

const home = mkdtempSync(join(tmpdir(), 'pm-docs-shots-'));
const env = {
  ...process.env,
  PM_HOME: home,
  NO_COLOR: '1',
  API_PORT: String(await freePort()),
  WORKER_PORT: String(await freePort()),
  PM_DASHBOARD_PORT: String(await freePort()),
};
try {
  console.log(pm(env, 'start').trimEnd());
  const url = /https?:\/\/\S+/.exec(pm(env, 'dashboard'))?.[0];
  if (!url) throw new Error('`pm dashboard` printed no URL');
  await shoot(url, env);
  console.log(`wrote dashboard.png and dashboard-restart.png in ${outDir}`);
} finally {
  spawnSync(pmBin, ['stop', 'all'], { cwd: stackDir, env, stdio: 'inherit', timeout: 60_000 });
  rmSync(home, { recursive: true, force: true });
}
