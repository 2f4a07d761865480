// Entry point: the only place that reads the environment and calls process.exit.
import { PortInUseError, serve } from '@pm/adapter-express';
import { formatInstanceRunningMessage, InstanceAlreadyRunningError } from '@pm/lock';
import { createApp, type WorkCounters } from './app.js';
import { FakeDatabase } from './database.js';

const port = Number(process.env.PORT ?? process.env.API_PORT ?? 3000);
const drainDelay = process.env.DRAIN_DELAY_MS === undefined ? undefined : Number(process.env.DRAIN_DELAY_MS);
const db = new FakeDatabase();
const work: WorkCounters = { active: 0, total: 0 };

try {
  const served = await serve(createApp(work), {
    port,
    host: process.env.HOST,
    // The lock file: env PID_FILE_PATH, else ./data/express-app.pid (read by @pm/lock).
    lock: { name: 'express-app', metadata: { example: 'express-app' } },
    health: {
      checks: { database: { check: () => db.ping(), timeout: 500 } },
      info: () => ({ activeRequests: work.active, totalRequests: work.total, databaseStatus: db.status }),
    },
    // Bound first, then ready: /readyz says 503 "initializing" until the database is connected.
    ready: () => db.connect(),
    shutdown: { drainDelay, hooks: [{ name: 'database', fn: () => db.close() }] },
  });
  console.log(`express-app ${process.pid} listening on ${served.url} (health: ${served.url}/health, lock: ${served.lock?.location})`);
} catch (error) {
  if (error instanceof InstanceAlreadyRunningError) {
    console.error(formatInstanceRunningMessage(error, { title: 'express-app instance already running', restartCommand: 'pnpm start' }));
    process.exit(1);
  }
  if (error instanceof PortInUseError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
