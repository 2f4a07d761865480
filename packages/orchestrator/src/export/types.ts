import type { ResolvedApp, ResolvedConfig } from '../config/resolve.js';

/** The runners `pm export` writes files for. */
export const exportTargets = ['systemd', 'compose', 'kubernetes', 'tmux', 'procfile', 'pm2'] as const;

/** One of {@link exportTargets}. */
export type ExportTarget = (typeof exportTargets)[number];

/** A file an exporter produces, with a path relative to the output folder. */
export interface ExportFile {
  /** Path relative to the output folder, e.g. `compose.yaml`. */
  path: string;
  content: string;
  /** File mode. @default 0o644 */
  mode?: number;
}

/** What an exporter returns: the files, and one line per setting the target cannot express. */
export interface ExportResult {
  files: ExportFile[];
  /** Lines like `api: health.http has no equivalent in systemd. …`, in app order. */
  lost: string[];
  /** Absolute folder the files are meant for (`options.outDir`, else the target's default folder). */
  outDir: string;
}

/** Options of an export. Every default is a fact of this machine, so golden tests pass them explicitly. */
export interface ExportOptions {
  /** Only these apps (their dependencies are not added). @default every app */
  apps?: string[];
  /** The folder the files will be written to (relative paths in the output are relative to it). @default the config's folder */
  outDir?: string;
  /** Container image (compose, kubernetes). @default `node:<major of this node>-slim`; required when an app has a `command` */
  image?: string;
  /** systemd: write system units (`WantedBy=multi-user.target`) instead of user units. @default false */
  system?: boolean;
  /** Absolute path of node, for systemd's ExecStart. @default process.execPath */
  nodePath?: string;
  /** Major version of node, for the default image. @default this process's */
  nodeMajor?: number;
  /**
   * The words that run `pm` in the output. @default for systemd `[nodePath, <this package's bin/pm.js>]`
   * (units want absolute paths); for tmux and procfile `['node', <bin/pm.js relative to the output folder>]`;
   * for compose, kubernetes and pm2 `['npx', '--no-install', 'pm']`
   */
  pm?: string[];
}

/** An export as exporters see it: the config narrowed to the chosen apps, and every option filled in. */
export interface ExportContext {
  config: ResolvedConfig;
  /** The chosen apps, in dependency order. */
  apps: ResolvedApp[];
  /** Absolute output folder. */
  outDir: string;
  /** File name of the config, named in the files' headers. */
  configName: string;
  /** Short name of the project (the config folder's name), used to name units, sessions and labels. */
  project: string;
  image: string | null;
  system: boolean;
  nodePath: string;
  nodeMajor: number;
  pm: string[] | null;
}

/** One exporter: its mapping table (for lost-setting lines and the docs) and the function that writes the files. */
export interface Exporter {
  target: ExportTarget;
  /** What the files are, for the docs and `pm export --help`. */
  summary: string;
  /** Default output folder, relative to the config's folder. */
  defaultDir: string;
  mapping: readonly MappingRow[];
  render(ctx: ExportContext): ExportFile[];
  /** What to run next, printed after writing (given the absolute output folder). @default nothing */
  next?: (outDir: string) => string;
}

/** One row of a target's mapping table: a pm key, what it becomes, and when an app loses it. */
export interface MappingRow {
  /** Config key under `apps[]`, e.g. `restart.policy`. */
  key: string;
  /** What the key becomes in the target, or null when the target has no equivalent. */
  field: string | null;
  /** How it is translated, or why it cannot be (one sentence; shown in the docs and in lost lines). */
  note: string;
  /**
   * When an app loses (part of) this setting, one line is printed. @default for `field: null`, when the
   * app sets the key to something other than its default; otherwise never
   */
  lost?: (app: ResolvedApp, ctx: ExportContext) => boolean;
  /** What the lost line says, when it differs from `note` (a partial mapping). @default note */
  lostNote?: string;
}
