// A tiny service that must run once: it takes the instance lock before binding its port.
// Run it twice with the same PID_FILE_PATH and the second copy explains who is running.
import { createServer } from 'node:http';
import { acquireInstanceLock, formatInstanceRunningMessage, InstanceAlreadyRunningError } from '@pm/lock';

const port = Number(process.env.PORT ?? 3000);

let lock;
try {
  lock = await acquireInstanceLock({ name: 'lock-demo', port, metadata: { role: 'demo' } });
} catch (error) {
  if (error instanceof InstanceAlreadyRunningError) {
    console.error(formatInstanceRunningMessage(error, { restartCommand: 'pnpm demo' }));
    process.exit(1); // exiting is the app's decision, never the library's
  }
  throw error;
}

const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ status: 'healthy', pid: process.pid, lock: lock.location }));
});
server.listen(port, '127.0.0.1', () =>
  console.log(`lock-demo ${process.pid} listening on http://127.0.0.1:${port} (lock ${lock.location})`),
);

process.once('SIGTERM', async () => {
  server.close();
  await lock.release();
  console.log(`lock-demo ${process.pid} released its lock and exits`);
  process.exit(0);
});
