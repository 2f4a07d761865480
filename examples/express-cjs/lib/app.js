'use strict';
const express = require('express');

/** The app's own routes; serve() answers /health, /livez and /readyz in front of them. `work` counts requests doing work. */
function createApp(work) {
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

module.exports = { createApp };
