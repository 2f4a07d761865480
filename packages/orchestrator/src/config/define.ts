import type { PmConfig } from './types.js';

/**
 * Identity function that types a `pm.config.ts`:
 * `export default defineConfig({ apps: [{ name: 'api', script: 'dist/main.js' }] })`.
 */
export function defineConfig(config: PmConfig): PmConfig {
  return config;
}
