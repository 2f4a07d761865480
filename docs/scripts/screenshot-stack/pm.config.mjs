// The stack the dashboard screenshots show: two apps, one depending on the other. Ports come from the script.
import { defineConfig } from '@pm/orchestrator';

const API_PORT = Number(process.env.API_PORT);
const WORKER_PORT = Number(process.env.WORKER_PORT);

export default defineConfig({
  apps: [
    {
      name: 'api',
      script: 'app.mjs',
      port: API_PORT,
      env: { APP_ROLE: 'api' },
      ready: { http: `http://127.0.0.1:${API_PORT}/readyz` },
      health: { http: `http://127.0.0.1:${API_PORT}/livez`, interval: 1000 },
    },
    {
      name: 'worker',
      script: 'app.mjs',
      port: WORKER_PORT,
      env: { APP_ROLE: 'worker' },
      dependsOn: ['api'],
      ready: { http: `http://127.0.0.1:${WORKER_PORT}/readyz` },
    },
  ],
  dashboard: { port: Number(process.env.PM_DASHBOARD_PORT) },
});
