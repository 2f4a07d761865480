import express, { type Express } from 'express';

/** Counts requests doing work: shown in /health so you can see what a shutdown waits for. */
export interface WorkCounters {
  active: number;
  total: number;
}

/** The app's own routes. Health endpoints are not here: serve() answers them in front of the app. */
export function createApp(work: WorkCounters): Express {
  const app = express();
  app.get('/', (_req, res) => {
    res.json({ hello: 'world', pid: process.pid });
  });
  // Answers after ?ms=N milliseconds: start one, send SIGTERM, and watch it finish before the exit.
  app.get('/slow', (req, res) => {
    const ms = Math.min(Math.max(Number(req.query.ms) || 0, 0), 60_000);
    work.active++;
    work.total++;
    res.once('close', () => work.active--);
    setTimeout(() => res.json({ slept: ms, pid: process.pid }), ms);
  });
  return app;
}
