import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// esbuild is tsup's own bundler (no extra dependency): an app that imports one check must not carry
// the others' code, nor the event-loop sampler. (Imports of node built-ins stay at the top of the
// single-file build: a bundler keeps them, and they cost nothing, being part of node.)
const require = createRequire(createRequire(import.meta.url).resolve('tsup'));
// Typed by hand: esbuild is not a dependency of this package, only of tsup.
const esbuild = require('esbuild') as {
  build(options: object): Promise<{ outputFiles: Array<{ text: string }> }>;
};
const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

async function bundle(names: string): Promise<string> {
  const result = await esbuild.build({
    stdin: { contents: `import { ${names} } from ${JSON.stringify(entry)};\nconsole.log(${names});`, resolveDir: process.cwd() },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    minifySyntax: true,
  });
  return result.outputFiles[0]!.text;
}

describe('tree-shaking of the built ESM entry', () => {
  it('createHealth alone carries no check and no sampler', async () => {
    const code = await bundle('createHealth');
    for (const absent of [
      'function sampleLoad',
      'function postgresCheck',
      'function httpCheck',
      'function diskCheck',
      'function underPressure',
      'SELECT 1',
    ]) {
      expect(code, absent).not.toContain(absent);
    }
  });

  it('tcpCheck carries neither the sampler nor the HTTP check', async () => {
    const code = await bundle('tcpCheck');
    expect(code).toContain('function tcpCheck');
    for (const absent of ['function sampleLoad', 'function httpCheck', 'function redisCheck', 'function eventLoopCheck']) {
      expect(code, absent).not.toContain(absent);
    }
  });
});
