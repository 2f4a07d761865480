import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Stands in for a real database client so the example runs anywhere: connecting takes a moment,
 * `ping()` fails while disconnected (or when env FAKE_DB_DOWN=true, to see a failing check).
 */
export class FakeDatabase {
  private connected = false;

  get status(): 'connected' | 'disconnected' {
    return this.connected ? 'connected' : 'disconnected';
  }

  async connect(): Promise<void> {
    await sleep(50);
    this.connected = true;
  }

  async ping(): Promise<void> {
    await sleep(1);
    if (!this.connected || process.env.FAKE_DB_DOWN === 'true') throw new Error('database unreachable');
  }

  async close(): Promise<void> {
    await sleep(10);
    this.connected = false;
  }
}
