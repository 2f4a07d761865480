'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

/** Stands in for a real database client so the example runs anywhere (FAKE_DB_DOWN=true makes its check fail). */
class FakeDatabase {
  connected = false;

  get status() {
    return this.connected ? 'connected' : 'disconnected';
  }

  async connect() {
    await sleep(50);
    this.connected = true;
  }

  async ping() {
    await sleep(1);
    if (!this.connected || process.env.FAKE_DB_DOWN === 'true') throw new Error('database unreachable');
  }

  async close() {
    await sleep(10);
    this.connected = false;
  }
}

module.exports = { FakeDatabase };
