import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { spawnFixture, type FixtureProcess } from '@pm/test-utils';

/** Path of a fixture script under test/fixtures. */
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Starts test/fixtures/app.mjs with a config and resolves once it listens. */
export async function startApp(
  config: Record<string, unknown> = {},
  env: Record<string, string | undefined> = {},
): Promise<{ app: FixtureProcess; port: number; url: string }> {
  const app = spawnFixture(fixture('app.mjs'), { args: [JSON.stringify(config)], env });
  const line = await app.waitForLine(/^listening \d+$/, 15_000);
  const port = Number(line.split(' ')[1]);
  return { app, port, url: `http://127.0.0.1:${port}` };
}

/** A keep-alive agent holding up to `max` sockets. */
export const keepAliveAgent = (max = 256): Agent => new Agent({ keepAlive: true, maxSockets: max, keepAliveMsecs: 60_000 });
