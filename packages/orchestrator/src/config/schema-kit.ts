import { Checker, isObject } from './checker.js';

// The building blocks of the config schema (schema.ts): each key is declared once, with what the
// README shows (type, default, meaning), how a value is checked, and the TS type it has (a phantom
// `T`). The type, the defaults, the validation and the README table are all derived from it.

/** What checks see besides the value: the apps' names (for `dependsOn`). */
export interface CheckContext {
  readonly names: ReadonlySet<string>;
}

/** A group of keys: an object in the config (an app, `ready`, `restart` …). */
export interface Section {
  readonly keys: Readonly<Record<string, Key>>;
  /** What a value that is not an object is reported as needing. */
  readonly expected: string;
  /** Checks across keys of one object, after each key's own check (at most one of …, ${PORT} without a port …). */
  readonly refine?: (c: Checker, path: string, value: Record<string, unknown>, ctx: CheckContext) => void;
}

/**
 * One config key. `T` is its TypeScript type; `D` the type of its default (kept literal, so
 * `configDefaults` keeps the exact values as types).
 */
export interface Key<T = unknown, D = unknown> {
  /** README: the type column. */
  readonly type: string;
  /** README: the meaning column. */
  readonly doc: string;
  /** The default, filled in by resolveConfig and shown in the README. @default none */
  readonly default?: D;
  /** Present in every config: checked even when missing. @default false */
  readonly required?: boolean;
  /** Checks a present value (and a missing one when `required`). */
  readonly check?: (c: Checker, path: string, value: unknown, ctx: CheckContext) => void;
  /** Keys inside this one: an object (`ready`), or with `list`, an array of objects (`apps`). */
  readonly section?: Section;
  /** The section is an array of such objects (shown as `key[]` in the README). @default false */
  readonly list?: boolean;
  /** Values accepted as they are, instead of the section (`'ipc'` for `ready`, `false` for `dashboard`). */
  readonly shorthand?: (value: unknown) => boolean;
  /** Phantom: carries `T` for {@link ConfigOf}; never set. */
  readonly __type?: T;
}

/**
 * Declares a key of TypeScript type `T`: `key<number>()({ type: 'ms', doc, default: 100, check })`.
 * The spec keeps its exact type (a literal default, the keys of its section) for {@link DefaultsOf}.
 */
export const key =
  <T>() =>
  <const S extends Omit<Key<T>, '__type'>>(spec: S): S & Key<T> =>
    spec as S & Key<T>;

type KeysOf<S> = { [K in keyof S]: S[K] extends Key<infer T> ? T : never };
type RequiredNames<S> = { [K in keyof S]: S[K] extends { required: true } ? K : never }[keyof S];

/** The config type a section's keys describe: required keys required, every other key optional. */
export type ConfigOf<S> = Partial<KeysOf<S>> & Pick<KeysOf<S>, RequiredNames<S>>;

type DefaultOf<K> = K extends { default: infer D }
  ? D
  : K extends { list: true }
    ? never
    : K extends { section: { keys: infer N } }
      ? DefaultsOf<N>
      : never;

/** The defaults of a section's keys: a key's own default, or the defaults inside its section. */
export type DefaultsOf<S> = { -readonly [K in keyof S as [DefaultOf<S[K]>] extends [never] ? never : K]: DefaultOf<S[K]> };

/** The defaults of a section, read from its keys (see {@link DefaultsOf}). */
export function defaultsOf<S extends Readonly<Record<string, Key>>>(keys: S): DefaultsOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(keys)) {
    if (spec.default !== undefined) out[name] = spec.default;
    else if (spec.section && !spec.list) {
      const inner = defaultsOf(spec.section.keys);
      if (Object.keys(inner).length > 0) out[name] = inner;
    }
  }
  return out as DefaultsOf<S>;
}

/** The root section's path: its keys are named bare (`apps`, `dashboard.port`), the root itself `(config)`. */
export const ROOT = '';

/** Checks an object against a section: unknown keys, each key's check, nested sections, then `refine`. */
export function checkSection(c: Checker, path: string, value: unknown, section: Section, ctx: CheckContext): void {
  const label = path === ROOT ? '(config)' : path;
  if (!isObject(value)) return c.add(label, section.expected, value);
  c.keys(label, value, Object.keys(section.keys));
  for (const [name, spec] of Object.entries(section.keys)) checkKey(c, path === ROOT ? name : `${path}.${name}`, value[name], spec, ctx);
  section.refine?.(c, path, value, ctx);
}

function checkKey(c: Checker, path: string, value: unknown, spec: Key, ctx: CheckContext): void {
  if (value === undefined && !spec.required) return;
  spec.check?.(c, path, value, ctx);
  if (!spec.section || spec.shorthand?.(value)) return;
  if (!spec.list) return checkSection(c, path, value, spec.section, ctx);
  if (Array.isArray(value)) value.forEach((item: unknown, i: number) => checkSection(c, `${path}[${i}]`, item, spec.section!, ctx));
}

/** One README row: the key's path, its type, its default as code, its meaning. */
export interface ReferenceRow {
  path: string;
  type: string;
  default: string;
  doc: string;
}

/** How the README shows a default: as code, strings quoted like in a config file. */
export const shownDefault = (v: unknown): string => (v === undefined ? '—' : `\`${typeof v === 'string' ? `'${v}'` : JSON.stringify(v)}\``);

/**
 * The README rows of a section: each key, each key's section right after it (`apps[].x` for a list).
 * Top-level keys come first so the reader sees the overall shape before the detail.
 */
export function referenceRows(keys: Readonly<Record<string, Key>>, prefix = ''): ReferenceRow[] {
  const own = Object.entries(keys).map(([name, spec]) => ({
    path: `${prefix}${name}`,
    type: spec.type,
    default: shownDefault(spec.default),
    doc: spec.doc,
  }));
  const nested = (name: string, spec: Key): ReferenceRow[] =>
    spec.section ? referenceRows(spec.section.keys, `${prefix}${name}${spec.list ? '[]' : ''}.`) : [];
  if (prefix === '') return [...own, ...Object.entries(keys).flatMap(([name, spec]) => nested(name, spec))];
  return Object.entries(keys).flatMap(([name, spec], i) => [own[i]!, ...nested(name, spec)]);
}
