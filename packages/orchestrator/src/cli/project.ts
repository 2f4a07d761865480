import { dirname, resolve } from 'node:path';
import { configFileNames, findConfigFile } from '../config/find.js';
import { pmPaths, type PmPaths } from '../daemon/paths.js';
import { ConfigNotFoundError } from '../errors.js';

/** The project a CLI call is about: its config file, folder and PM_HOME paths. */
export interface Project {
  configFile: string;
  dir: string;
  paths: PmPaths;
}

/** Finds the config (`-c <file>`, else searched from `cwd` upwards) without evaluating it. */
export function findProject(configOption: string | undefined, cwd = process.cwd()): Project {
  let file: string | null = configOption ? resolve(cwd, configOption) : null;
  if (!file) {
    for (let dir = resolve(cwd); ; dir = dirname(dir)) {
      file = findConfigFile(dir);
      if (file || dirname(dir) === dir) break;
    }
  }
  if (!file) throw new ConfigNotFoundError(resolve(cwd), configFileNames);
  const dir = dirname(file);
  return { configFile: file, dir, paths: pmPaths(dir) };
}
