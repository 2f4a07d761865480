import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cases, exportCase, here, loadCase } from './helpers.js';
import { exportConfig } from '../../src/export/index.js';

const schema = JSON.parse(readFileSync(join(here, '..', 'schemas', 'compose-spec', 'compose-spec.json'), 'utf8')) as Record<
  string,
  unknown
>;
// The schema names draft-07 as https://json-schema.org/draft-07/schema, which Ajv knows (it is its
// default draft) under the http:// id only.
delete schema.$schema;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

async function composeOf(name: keyof typeof cases) {
  const result = await exportCase(name, 'compose', name === 'every-key' ? { image: 'registry.example/stack:1' } : {});
  return parse(result.files[0]!.content) as { services: Record<string, Record<string, unknown>> };
}

describe('pm export compose', () => {
  it.each(Object.keys(cases) as (keyof typeof cases)[])('%s validates against the Compose specification schema', async (name) => {
    const doc = await composeOf(name);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
  });

  it('the schema rejects a malformed service (the check can fail)', async () => {
    const doc = await composeOf('dev-stack');
    doc.services.api!.health_check = doc.services.api!.healthcheck; // a typo of a key
    expect(validate(doc)).toBe(false);
  });

  it('gates dependents on the ready probe and keeps values from interpolation', async () => {
    const doc = await composeOf('every-key');
    expect(doc.services.api!.depends_on).toEqual({ db: { condition: 'service_healthy' } });
    expect((doc.services.api!.healthcheck as { test: string[] }).test.at(-1)).toContain('http://localhost:3200/readyz');
    expect((doc.services.api!.environment as Record<string, string>).GREETING).toBe('hello $$USER');
    expect((doc.services.api!.environment as Record<string, string>).DATABASE_URL).toBe('postgres://db:5433/app');
    expect(doc.services.worker!.restart).toBe('no');
    expect(doc.services.web!.depends_on).toEqual({ api: { condition: 'service_healthy' }, worker: { condition: 'service_healthy' } });
  });

  it('asks for --image when an app runs a command', async () => {
    const config = await loadCase('every-key');
    expect(() => exportConfig(config, 'compose', {})).toThrow(
      expect.objectContaining({ code: 'PM_EXPORT_OPTION_INVALID', message: expect.stringContaining('--image') }),
    );
  });
});
