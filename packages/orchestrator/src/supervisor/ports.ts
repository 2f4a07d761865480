import { createServer } from 'node:net';

/** True when nothing listens on `port` on either loopback family (we try to bind it, then let go). */
export async function isPortFree(port: number): Promise<boolean> {
  for (const host of ['127.0.0.1', '0.0.0.0', '::1']) {
    const free = await new Promise<boolean | null>((resolve) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' ? false : null));
      server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (free === false) return false;
  }
  return true;
}
