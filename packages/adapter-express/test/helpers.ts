import { createRequire } from 'node:module';
import type { RequestListener } from '@pm/adapter-express';

const require = createRequire(import.meta.url);

/** An Express app factory, with its real major version for test names. */
export interface ExpressFlavour {
  label: string;
  module: 'express' | 'express4';
  create: () => RequestListener & { get: (...args: unknown[]) => unknown; use: (...args: unknown[]) => unknown };
}

/** Express 4 (npm alias `express4`) and Express 5, both real. */
export const flavours: ExpressFlavour[] = (['express4', 'express'] as const).map((module) => {
  const version = (require(`${module}/package.json`) as { version: string }).version;
  return { label: `express ${version}`, module, create: require(module) as ExpressFlavour['create'] };
});
