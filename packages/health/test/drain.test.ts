import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest, sleep, waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { createShutdown } from '../src/index.js';
import { keepAliveAgent } from './helpers.js';

/** A real server whose `/slow` answers after 300 ms. */
async function slowServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/slow') setTimeout(() => res.end('slow'), 300);
    else res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('draining in process (real sockets, injected exit)', () => {
  it('a keep-alive socket that connected before createShutdown is drained from its next request on', async () => {
    const { server, url } = await slowServer();
    const agent = keepAliveAgent(1);
    expect((await httpRequest(`${url}/`, { agent })).headers.connection).toBe('keep-alive');

    const codes: number[] = [];
    const shutdown = createShutdown({ signals: [], servers: [server], exit: (code) => codes.push(code) });
    const slow = new Promise<{ body: string; connection: string | undefined }>((resolve, reject) => {
      const req = request(`${url}/slow`, { agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ body, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.end();
    });
    await sleep(50);
    const result = shutdown.shutdown('test');
    expect(await slow).toEqual({ body: 'slow', connection: 'close' });
    expect((await result).exitCode).toBe(0);
    expect(codes).toEqual([0]);
    expect(server.listening).toBe(false);
    agent.destroy();
  });

  it('waits for a response whose headers already went out as keep-alive, then closes its socket', async () => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part 1,');
      setTimeout(() => res.end(' part 2'), 300);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const shutdown = createShutdown({ signals: [], servers: [server], exit: () => {} });
    const agent = keepAliveAgent(1);
    const streamed = httpRequest(`${url}/`, { agent });
    await sleep(100);
    const startedAt = Date.now();
    const done = shutdown.shutdown();
    expect((await streamed).body).toBe('part 1, part 2');
    await done;
    // The server's keep-alive timeout is 5 s: only closing the socket as the response ends is this quick.
    expect(Date.now() - startedAt).toBeLessThan(1500);
    await waitFor(() => Object.values(agent.freeSockets).flat().length === 0, { timeout: 1000, message: 'the client to see the close' });
    agent.destroy();
  });
});
