import { serviceSpecs, type ServiceSpec } from '@netsentry/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../generate.mjs';
import { kustomize, readYaml, repoRoot, run, tool, yamlDocuments } from './tools';

// Everything that names a service's port or topics follows the service catalogue (contracts/src/services.ts):
// generated files are regenerated and compared, hand-written ones are read and checked.

const specs = serviceSpecs();
const byName = new Map<string, ServiceSpec>(specs.map((s) => [s.name, s]));

interface ScrapeConfig {
  scrape_configs: { static_configs: { targets: string[]; labels: Record<string, string> }[] }[];
}
interface ComposeService {
  build?: { args?: Record<string, string> };
  environment?: Record<string, string>;
  hostname?: string;
  ports?: string[];
}
interface K8sObject {
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

function scrapeTargets(path: string): Record<string, string> {
  const config = readYaml<ScrapeConfig>(path);
  const targets: Record<string, string> = {};
  for (const job of config.scrape_configs) {
    for (const group of job.static_configs) {
      const service = group.labels.service!;
      expect(group.labels.system, `${path}: ${service}`).toBe('netsentry');
      expect(targets[service], `${path}: ${service} listed twice`).toBeUndefined();
      targets[service] = group.targets.join(',');
    }
  }
  return targets;
}

describe('the service catalogue drives', () => {
  it('the generated Kubernetes files (node deploy/generate.mjs after npm run build rewrites them)', async () => {
    const files = await generatedFiles(specs);
    expect(Object.keys(files).filter((p) => p.includes('/services/'))).toHaveLength(specs.length);
    for (const [path, text] of Object.entries(files)) {
      expect(
        readFileSync(join(repoRoot, path), 'utf8'),
        `${path} is stale: run node deploy/generate.mjs`,
      ).toBe(text);
    }
  });

  it("the local run's and docker-compose's Prometheus scrape targets", () => {
    const local = scrapeTargets('deploy/local/prometheus/prometheus.yml');
    const compose = scrapeTargets('deploy/compose/prometheus.yml');
    const expected = (host: (s: ServiceSpec) => string) =>
      Object.fromEntries(specs.map((s) => [s.name, `${host(s)}:${s.httpPort}`]));
    expect(local).toEqual(expected(() => '127.0.0.1'));
    expect(compose).toEqual(expected((s) => s.name));
  });

  it('the docker-compose services: one per catalogue entry, its port, its image and a stable host name', () => {
    const rendered = run(tool('docker-compose'), ['-f', 'docker-compose.yml', 'config']);
    expect(rendered.stderr).toBe('');
    const compose = yamlDocuments<{ services: Record<string, ComposeService> }>(rendered.stdout)[0]!;
    for (const spec of specs) {
      const service = compose.services[spec.name];
      expect(service, spec.name).toBeDefined();
      expect(service!.build?.args?.SERVICE).toBe(spec.name);
      expect(service!.environment?.NETSENTRY_SERVICE).toBe(spec.name);
      expect(service!.environment?.NETSENTRY_HTTP_PORT).toBe(String(spec.httpPort));
      expect(service!.hostname).toBe(spec.name);
      expect(service!.ports).toEqual([`127.0.0.1:${spec.httpPort}:${spec.httpPort}/tcp`]);
    }
    const built = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
    for (const [name, s] of built) {
      expect(name === 'init' || byName.has(name), `${name} is not in the catalogue`).toBe(true);
      expect(byName.has(s.build!.args!.SERVICE!)).toBe(true);
    }
  });

  it('the rendered Kubernetes workloads and Services of both overlays', () => {
    for (const overlay of ['dev', 'prod']) {
      const rendered = kustomize(`deploy/k8s/overlays/${overlay}`);
      expect(rendered.status, rendered.stderr).toBe(0);
      const objects = yamlDocuments<K8sObject>(rendered.stdout);
      const sets = objects.filter((o) => o.kind === 'StatefulSet');
      expect(sets.map((o) => o.metadata.name).sort()).toEqual(specs.map((s) => s.name).sort());
      for (const spec of specs) {
        const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === spec.name);
        expect(svc, `${overlay}: Service ${spec.name}`).toBeDefined();
        expect((svc!.spec.ports as { port: number }[]).map((p) => p.port)).toEqual([spec.httpPort]);
      }
    }
  });

  it("each service's main.ts and handlers: port from the catalogue, consumed topics as catalogued", () => {
    for (const spec of specs) {
      const src = join(repoRoot, 'services', spec.name, 'src');
      const main = readFileSync(join(src, 'main.ts'), 'utf8');
      expect(main, `${spec.name}/src/main.ts`).toContain(`servicePort('${spec.name}')`);
      const handled = new Set<string>();
      for (const file of run('grep', ['-rhoE', "@Stage(Batch)?Handler\\('[a-z.]+'", src]).stdout.split(
        '\n',
      )) {
        const topic = /'([a-z.]+)'/.exec(file)?.[1];
        if (topic !== undefined) handled.add(topic);
      }
      expect([...handled].sort(), spec.name).toEqual([...spec.inputTopics].sort());
    }
  });
});
