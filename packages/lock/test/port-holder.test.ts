import { createServer } from 'node:net';
import { freePort, spawnFixture } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { describePortHolder, findPortHolder } from '../src/index.js';

describe('findPortHolder', () => {
  it('names the process listening on a port, with its command line', async () => {
    const port = await freePort();
    const script = `require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening'))`;
    const holder = spawnFixture('-e', { args: [script] });
    await holder.waitForLine('listening');
    const found = await findPortHolder(port);
    expect(found?.pid).toBe(holder.pid);
    expect(found?.command).toContain(String(port));
    expect(describePortHolder(found)).toBe(`PID ${holder.pid} (${found!.command})`);
    expect(describePortHolder({ pid: holder.pid, command: null })).toBe(`PID ${holder.pid}`);
    expect(describePortHolder({ pid: null, command: null })).toBeNull();
    expect(describePortHolder(null)).toBeNull();
  });

  it('finds this process too, on IPv6 as well', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    const { port } = server.address() as { port: number };
    expect((await findPortHolder(port))?.pid).toBe(process.pid);
    server.close();
  });

  it('returns null for a free port', async () => {
    expect(await findPortHolder(await freePort())).toBeNull();
  });
});
