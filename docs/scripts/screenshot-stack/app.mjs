// A small HTTP app for the dashboard screenshots: @pm/health endpoints, one check, a bit of user info.
import { createServer } from 'node:http';
import { createHealth, createShutdown } from '@pm/health';

const health = createHealth({
  checks: { queue: { check: async () => {}, timeout: 500 } },
  info: () => ({ role: process.env.APP_ROLE ?? 'app' }),
});
const server = createServer((req, res) => health.handler(req, res, () => res.end(`hello from ${process.env.APP_ROLE}\n`)));
createShutdown({ servers: [server], health });
server.listen(Number(process.env.PORT), '127.0.0.1', () => health.setReady());
