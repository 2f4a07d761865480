import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cases, exportCase, loadCase } from './helpers.js';

// Validation with kubernetes-models 4.x: the JSON schemas of Kubernetes' own OpenAPI spec, compiled with
// Ajv (5.x needs Node 22; this package supports Node 20).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, walked by path in the assertions below
type Doc = { kind: string; metadata: { name: string }; spec: any };

async function manifests(name: keyof typeof cases): Promise<Doc[]> {
  const result = await exportCase(name, 'kubernetes', name === 'every-key' ? { image: 'registry.example/stack:1' } : {});
  return parseAllDocuments(result.files[0]!.content).map((d) => d.toJS() as Doc);
}

function validate(doc: Doc): void {
  if (doc.kind === 'Deployment') new Deployment(doc as never).validate();
  else if (doc.kind === 'Service') new Service(doc as never).validate();
  else throw new Error(`unexpected kind ${doc.kind}`);
}

const container = (docs: Doc[], name: string) =>
  docs.find((d) => d.kind === 'Deployment' && d.metadata.name === name)!.spec.template.spec.containers[0];

describe('pm export kubernetes', () => {
  it.each(Object.keys(cases) as (keyof typeof cases)[])('%s validates against the Kubernetes schemas', async (name) => {
    const docs = await manifests(name);
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) expect(() => validate(doc), `${doc.kind} ${doc.metadata.name}`).not.toThrow();
  });

  it('the schemas reject a malformed manifest (the check can fail)', async () => {
    const docs = await manifests('dev-stack');
    container(docs, 'api').ports[0].containerPort = 'http';
    expect(() => validate(docs[0]!)).toThrow(/containerPort/);
  });

  it('probes and ports match the dev-stack config', async () => {
    const config = await loadCase('dev-stack');
    const docs = await manifests('dev-stack');
    for (const app of config.apps) {
      const c = container(docs, app.name);
      expect(c.ports).toEqual([{ name: 'app', containerPort: app.port }]);
      expect(c.env).toContainEqual({ name: 'PORT', value: String(app.port) });
      const svc = docs.find((d) => d.kind === 'Service' && d.metadata.name === app.name)!;
      expect(svc.spec.ports).toEqual([{ name: 'app', port: app.port, targetPort: 'app' }]);
      expect(svc.spec.selector).toEqual(
        docs.find((d) => d.kind === 'Deployment' && d.metadata.name === app.name)!.spec.template.metadata.labels,
      );
      if (app.ready.kind === 'http') {
        const url = new URL(app.ready.url);
        for (const probe of [c.readinessProbe, c.startupProbe])
          expect(probe.httpGet).toEqual({ path: url.pathname, port: Number(url.port), scheme: 'HTTP' });
        expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold * 1000).toBeGreaterThanOrEqual(app.ready.timeout);
      } else {
        expect(c.readinessProbe).toBeUndefined();
      }
      if (app.health?.http) {
        const url = new URL(app.health.http);
        expect(c.livenessProbe).toMatchObject({
          httpGet: { path: url.pathname, port: Number(url.port) },
          failureThreshold: app.health.failures,
        });
      }
      const grace = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === app.name)!.spec.template.spec
        .terminationGracePeriodSeconds;
      expect(grace * 1000).toBeGreaterThanOrEqual(app.stop.timeout);
    }
  });

  it('waits for dependencies on their Services, and points env at Services', async () => {
    const docs = await manifests('dev-stack');
    const web = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'web')!.spec.template.spec;
    expect(web.initContainers[0].command).toEqual([
      'npx',
      '--no-install',
      'pm',
      'wait',
      '--timeout',
      '30',
      'http://api:3100/readyz',
      'http://agents:3101/readyz',
    ]);
    expect(web.containers[0].env).toContainEqual({ name: 'API_URL', value: 'http://api:3100' });
  });

  it('translates the every-key config: tcp probes, memory limit, escaped $(…) and names', async () => {
    const docs = await manifests('every-key');
    expect(container(docs, 'db').readinessProbe).toMatchObject({ tcpSocket: { port: 5433 } });
    expect(container(docs, 'api').resources).toEqual({ limits: { memory: String(256 * 1024 * 1024) } });
    expect(container(docs, 'api').livenessProbe).toMatchObject({
      httpGet: { path: '/livez', port: 3200 },
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 5,
    });
    expect(container(docs, 'web').env).toEqual([{ name: 'PORT', value: '8080' }]);
  });
});
