import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PmCheck, PmInfo } from '@pm/adapter-nest';

/**
 * Stands in for a real database client so the example runs anywhere. It connects in onModuleInit,
 * which Nest runs after PmModule took the instance lock, and closes in onApplicationShutdown, which
 * runs after in-flight requests finished and before the lock is released.
 */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown {
  private connected = false;

  async onModuleInit(): Promise<void> {
    await sleep(50);
    this.connected = true;
  }

  /** Shown as `checks.database` in /health; fails while disconnected (or with env FAKE_DB_DOWN=true). */
  @PmCheck('database', { timeout: 500 })
  async ping(): Promise<void> {
    await sleep(1);
    if (!this.connected || process.env.FAKE_DB_DOWN === 'true') throw new Error('database unreachable');
  }

  @PmInfo()
  info(): Record<string, unknown> {
    return { databaseStatus: this.connected ? 'connected' : 'disconnected' };
  }

  async onApplicationShutdown(): Promise<void> {
    await sleep(10);
    this.connected = false;
  }
}
