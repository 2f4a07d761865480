// The whole dev stack in one file: `pm run` (foreground, Ctrl-C stops all) or `pm start` (background).
// Ports come from the environment with defaults, as in the shell scripts this replaces.
import { join } from 'node:path';
import { defineConfig } from '@pm/orchestrator';

const API_PORT = Number(process.env.API_PORT ?? 3100);
const AGENTS_PORT = Number(process.env.AGENTS_PORT ?? 3101);
const WEB_PORT = Number(process.env.WEB_PORT ?? 3102);
// Instance locks live beside pm's own state, so two checkouts (or a test run) never share them.
const lockDir = join(process.env.PM_HOME ?? '.pm', 'data');

export default defineConfig({
  apps: [
    {
      name: 'api',
      script: '../express-app/dist/main.js',
      port: API_PORT,
      env: { PID_FILE_PATH: join(lockDir, 'api.pid') },
      ready: { http: `http://localhost:${API_PORT}/readyz`, timeout: 20_000 },
      health: { http: `http://localhost:${API_PORT}/livez`, interval: 5000, failures: 3 },
      restart: { policy: 'on-failure', maxRestarts: 10, window: 60_000, backoff: { initial: 100, max: 10_000 } },
      stop: { signal: 'SIGTERM', timeout: 5000 },
    },
    {
      name: 'agents',
      script: '../nest-app/dist/main.js',
      port: AGENTS_PORT,
      env: { PID_FILE_PATH: join(lockDir, 'agents.pid') },
      dependsOn: ['api'],
      ready: { http: `http://localhost:${AGENTS_PORT}/readyz`, timeout: 30_000 },
      health: { http: `http://localhost:${AGENTS_PORT}/livez`, interval: 5000, failures: 3 },
    },
    {
      name: 'web',
      script: 'web/server.mjs',
      port: WEB_PORT,
      env: { API_URL: `http://127.0.0.1:${API_PORT}`, AGENTS_URL: `http://127.0.0.1:${AGENTS_PORT}` },
      dependsOn: ['api', 'agents'],
      ready: { log: 'web ready' },
    },
  ],
  dashboard: { port: Number(process.env.PM_DASHBOARD_PORT ?? 4000) },
});
