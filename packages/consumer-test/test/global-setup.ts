// Packs the tarballs once for every test file of this project (packing takes seconds per package).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
// @ts-expect-error: a plain .mjs script shared with the `pack` command, no types of its own
import { packAll } from '../src/pack-all.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Each packed tarball: package name, absolute file and size in bytes. */
    packed: { name: string; file: string; bytes: number }[];
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'pm-tarballs-'));
  project.provide('packed', packAll(dir));
  return () => rmSync(dir, { recursive: true, force: true });
}
