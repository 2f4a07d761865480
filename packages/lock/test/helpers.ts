import { fileURLToPath } from 'node:url';
import { spawnFixture, type FixtureProcess } from '@pm/test-utils';

/** Absolute path of a fixture script in test/fixtures. */
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Both mutual-exclusion strategies of the file backend; every behaviour is tested under each. */
export const exclusions = ['socket', 'link'] as const;

/** Starts holder.mjs on `path` and waits until it reports acquired (or busy). */
export async function startHolder(
  path: string,
  exclusion: string,
  extra: { wait?: number; env?: Record<string, string> } = {},
): Promise<FixtureProcess> {
  const holder = spawnFixture(fixture('holder.mjs'), { args: [path, exclusion, String(extra.wait ?? 0)], env: extra.env });
  await holder.waitForLine(/^(acquired|busy)/);
  return holder;
}
