import { dirname, isAbsolute, relative, sep } from 'node:path';
import type { ResolvedApp } from '../config/resolve.js';
import { fixedPort } from './app-view.js';
import { ExportOptionError } from './errors.js';
import type { ExportContext } from './types.js';

// What compose and kubernetes share: the project as one folder inside the image, one host per app.

/** Where the project folder is inside the container. */
export const containerRoot = '/app';

/** The port an app listens on inside its container: its own, or 8080 for `'auto'` (each container has its own ports). */
export function containerPort(app: ResolvedApp): number | null {
  return app.port === 'auto' ? 8080 : fixedPort(app);
}

/** The folder holding the config's folder and every app's cwd and script: what the container must contain. */
export function projectRoot(ctx: ExportContext): string {
  const paths = [ctx.config.baseDir, ...ctx.apps.flatMap((a) => [a.cwd, ...(a.script ? [dirname(a.script)] : [])])];
  return paths.reduce((common, path) => {
    let dir = common;
    while (relative(dir, path).startsWith('..') || isAbsolute(relative(dir, path))) dir = dirname(dir);
    return dir;
  });
}

/** A host path as the container sees it (under {@link containerRoot}). */
export function inContainer(root: string, path: string): string {
  const rel = relative(root, path).split(sep).join('/');
  return rel === '' ? containerRoot : `${containerRoot}/${rel}`;
}

/** The image of an app: `--image`, else `node:<major>-slim` for scripts; a command app needs `--image`. */
export function imageOf(ctx: ExportContext, app: ResolvedApp, target: string): string {
  if (ctx.image) return ctx.image;
  if (app.script !== null) return `node:${ctx.nodeMajor}-slim`;
  throw new ExportOptionError(
    `App "${app.name}" runs a command, so ${target} cannot guess its image: pass --image <name> (an image that has the command and the project under ${containerRoot}).`,
  );
}

/** Port -> service name of every app with a port, to rewrite `localhost:<port>` in env values. */
export function serviceHosts(ctx: ExportContext, name: (app: ResolvedApp) => string): Map<number, string> {
  const map = new Map<number, string>();
  for (const app of ctx.config.apps) {
    const port = fixedPort(app);
    if (port !== null) map.set(port, name(app));
  }
  return map;
}

/** A node one-liner that exits 0 when the probe passes (slim images have no curl or wget). */
export function nodeProbeScript(resource: string, timeoutMs: number): string {
  if (resource.startsWith('tcp:')) {
    const at = resource.lastIndexOf(':');
    const host = resource.slice(4, at).replace(/^\[|\]$/g, '');
    return `const s=require('net').connect(${resource.slice(at + 1)},${JSON.stringify(host)});s.setTimeout(${timeoutMs},()=>process.exit(1));s.on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`;
  }
  return `fetch(${JSON.stringify(resource)},{redirect:'manual',signal:AbortSignal.timeout(${timeoutMs})}).then(r=>process.exit(r.status<400?0:1),()=>process.exit(1))`;
}
