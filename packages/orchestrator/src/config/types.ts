/* eslint-disable @typescript-eslint/no-empty-object-type -- interfaces, not type aliases: the public types stay interfaces (named in hovers and errors, open to augmentation) */
import type { ConfigOf } from './schema-kit.js';
import type { appKeys, backoffKeys, dashboardKeys, healthKeys, logsKeys, readyKeys, restartKeys, stopKeys, topKeys } from './schema.js';

// Every type here is derived from the schema (schema.ts), where each key's TSDoc and default live:
// editors show that TSDoc on these types. A new key is an entry there, not here.

/** Readiness: how the supervisor learns an app is ready (state `running`). One kind per app. */
export interface ReadyConfig extends ConfigOf<typeof readyKeys> {}

/** Exponential backoff between restarts after short runs, with ±20 % jitter. */
export type BackoffConfig = ConfigOf<typeof backoffKeys>;

/** When and how fast a stopped app is started again. */
export interface RestartConfig extends ConfigOf<typeof restartKeys> {}

/** How an app is stopped. */
export interface StopConfig extends ConfigOf<typeof stopKeys> {}

/** Liveness probe: `failures` failed probes in a row restart the app (like a Kubernetes liveness probe). */
export interface HealthConfig extends ConfigOf<typeof healthKeys> {}

/** Per-app log file with size rotation (stdout and stderr go to `<PM_HOME>/logs/<name>.log`). */
export interface LogsConfig extends ConfigOf<typeof logsKeys> {}

/** One supervised app. Give either `script` (run with node) or `command`. */
export interface AppConfig extends ConfigOf<typeof appKeys> {}

/** The control API and dashboard served by the daemon. */
export interface DashboardConfig extends ConfigOf<typeof dashboardKeys> {}

/** A whole pm config: `pm.config.{ts,mjs,js,json}`. */
export interface PmConfig extends ConfigOf<typeof topKeys> {}
