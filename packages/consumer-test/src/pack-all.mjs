#!/usr/bin/env node
// Packs every published package of the monorepo (pnpm pack rewrites `workspace:` ranges) into one folder.
// Usage: node packages/consumer-test/src/pack-all.mjs [outDir]   (default: <repo>/packages/consumer-test/tarballs)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The non-private packages under packages/, as { name, dir }. */
export function publishedPackages() {
  const packagesDir = join(repoRoot, 'packages');
  return readdirSync(packagesDir)
    .map((entry) => join(packagesDir, entry))
    .filter((dir) => statSync(join(dir, 'package.json'), { throwIfNoEntry: false })?.isFile())
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private)
    .map(({ dir, manifest }) => ({ name: manifest.name, dir }));
}

/**
 * Packs each published package into `outDir` (emptied first) and returns { name, file, bytes } per tarball.
 * The packages must be built (`pnpm build`).
 */
export function packAll(outDir) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  return publishedPackages().map(({ name, dir }) => {
    const before = new Set(readdirSync(outDir));
    execFileSync('pnpm', ['pack', '--pack-destination', outDir], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const file = readdirSync(outDir).find((entry) => !before.has(entry));
    if (!file) throw new Error(`pnpm pack wrote no tarball for ${name} (in ${dir})`);
    return { name, file: join(outDir, file), bytes: statSync(join(outDir, file)).size };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outDir = resolve(process.argv[2] ?? join(repoRoot, 'packages/consumer-test/tarballs'));
  for (const { name, file, bytes } of packAll(outDir)) console.log(`${name.padEnd(22)} ${String(bytes).padStart(8)} B  ${file}`);
}
