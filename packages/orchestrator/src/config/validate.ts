import type { ConfigProblem } from '../errors.js';
import { Checker, isObject } from './checker.js';
import { checkSection, ROOT } from './schema-kit.js';
import {
  appKeys,
  backoffKeys,
  configSection,
  dashboardKeys,
  healthKeys,
  logsKeys,
  metricsKeys,
  readyKeys,
  restartKeys,
  stopKeys,
  topKeys,
} from './schema.js';

/** Every key the config accepts, by section (read from the schema). */
export const configKeys = {
  top: Object.keys(topKeys),
  app: Object.keys(appKeys),
  ready: Object.keys(readyKeys),
  restart: Object.keys(restartKeys),
  backoff: Object.keys(backoffKeys),
  stop: Object.keys(stopKeys),
  health: Object.keys(healthKeys),
  logs: Object.keys(logsKeys),
  dashboard: Object.keys(dashboardKeys),
  metrics: Object.keys(metricsKeys),
};

/** Checks a raw config object and returns every problem found (an empty array when it is valid). */
export function validateConfig(raw: unknown): ConfigProblem[] {
  const c = new Checker();
  const apps = isObject(raw) && Array.isArray(raw.apps) ? (raw.apps as unknown[]) : [];
  const names = new Set(apps.flatMap((app) => (isObject(app) && typeof app.name === 'string' ? [app.name] : [])));
  checkSection(c, ROOT, raw, configSection, { names });
  return c.problems;
}
