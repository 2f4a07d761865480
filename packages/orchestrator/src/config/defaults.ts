import { defaultsOf } from './schema-kit.js';
import { appKeys, dashboardKeys } from './schema.js';

/**
 * Every default of the config, read from the schema (schema.ts, where each key's default is declared).
 * The README's config reference is generated from the same schema, and {@link resolveConfig} fills
 * missing values from this.
 */
export const configDefaults = {
  app: defaultsOf(appKeys),
  dashboard: defaultsOf(dashboardKeys),
};
