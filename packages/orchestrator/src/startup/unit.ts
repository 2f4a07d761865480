import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import { duration } from '../export/app-view.js';
import { systemdEnv, systemdJoin } from '../export/quote.js';

/** Where `pm startup` puts a project's unit, and what it holds. */
export interface StartupUnit {
  /** Unit name, `pm-<folder>-<hash of the path>.service` (two checkouts with one folder name do not collide). */
  name: string;
  /** Absolute path of the unit file under `$XDG_CONFIG_HOME/systemd/user` (default `~/.config/systemd/user`). */
  file: string;
  content: string;
}

/** Options of {@link startupUnit}. */
export interface StartupUnitOptions {
  /** The config file the unit runs `pm run -c` on. */
  configFile: string;
  /** Absolute path of node. @default process.execPath */
  nodePath?: string;
  /** Absolute path of pm's bin script. */
  pmBin: string;
  /** Environment to read XDG_CONFIG_HOME, HOME and PATH from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** The user unit that runs `pm run` for a project at boot (with lingering) or login. */
export function startupUnit(config: ResolvedConfig, options: StartupUnitOptions): StartupUnit {
  const env = options.env ?? process.env;
  const folder = basename(config.baseDir).replace(/[^A-Za-z0-9_.-]+/g, '-') || 'project';
  const hash = createHash('sha256').update(config.baseDir).digest('hex').slice(0, 8);
  const name = `pm-${folder}-${hash}.service`;
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  // pm run stops apps one after another (reverse dependency order): leave it the sum of their stop timeouts.
  const stopMs = config.apps.reduce((sum, app) => sum + app.stop.timeout, 0) + 5000;
  const content = [
    `# Written by \`pm startup\` for ${config.baseDir}: remove with \`pm unstartup\`.`,
    '[Unit]',
    `Description=pm stack of ${config.baseDir} (${config.apps.map((a) => a.name).join(', ')})`,
    '',
    '[Service]',
    'Type=exec',
    `WorkingDirectory=${config.baseDir}`,
    // A user manager's PATH is minimal; apps that run commands need the PATH pm startup ran with.
    ...(env.PATH ? [`Environment=${systemdEnv('PATH', env.PATH)}`] : []),
    `ExecStart=${systemdJoin([options.nodePath ?? process.execPath, options.pmBin, 'run', '-c', options.configFile])}`,
    'Restart=on-failure',
    'RestartSec=2s',
    'KillMode=mixed',
    'KillSignal=SIGTERM',
    `TimeoutStopSec=${duration(stopMs)}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
  return { name, file: join(configHome, 'systemd', 'user', name), content };
}
