// Entry point: the only place that reads the port and calls process.exit.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { PortInUseError, serve } from '@pm/adapter-nest';
import { formatInstanceRunningMessage, InstanceAlreadyRunningError } from '@pm/lock';
import { AppModule } from './app.module.js';

const port = Number(process.env.PORT ?? process.env.API_PORT ?? 3000);
const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });

try {
  // Takes the lock (before any module connects), listens, marks ready, and owns SIGTERM/SIGINT:
  // do not also call app.enableShutdownHooks().
  const served = await serve(app, { port, host: process.env.HOST });
  console.log(`nest-app ${process.pid} listening on ${served.url} (health: ${served.url}/health, lock: ${served.pm.lock?.location})`);
} catch (error) {
  if (error instanceof InstanceAlreadyRunningError) {
    console.error(formatInstanceRunningMessage(error, { title: 'nest-app instance already running', restartCommand: 'pnpm start' }));
    process.exit(1);
  }
  if (error instanceof PortInUseError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
