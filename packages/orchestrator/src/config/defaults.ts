/**
 * Every default of the config, in one place. The README's config reference is tested against it,
 * and {@link resolveConfig} fills missing values from it.
 */
export const configDefaults = {
  app: {
    args: [] as string[],
    cwd: '.',
    env: {} as Record<string, string>,
    dependsOn: [] as string[],
    ready: { timeout: 30_000, interval: 100, announce: 1_500 },
    restart: {
      policy: 'on-failure',
      maxRestarts: 10,
      window: 60_000,
      minUptime: 1_000,
      backoff: { initial: 100, max: 30_000 },
    },
    stop: { signal: 'SIGTERM', timeout: 5_000 },
    health: { interval: 5_000, failures: 3, timeout: 2_000 },
    logs: { maxSize: '10M', keep: 5 },
  },
  dashboard: { port: 4000, metrics: { token: true } },
} as const;
