import {
  ConfigError,
  kafkaSection,
  loadConfig,
  mongoSection,
  s3Section,
  serviceSection,
  type ConfigSection,
  type Spec,
} from '@netsentry/config';
import { serviceSpecs, type ServiceSpec } from '@netsentry/contracts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, run, tool, yamlDocuments } from './tools';

// docker-compose.yml passes `docker-compose config` (Debian's docker-compose), and the environment it gives
// each service passes the config validation that service runs at start-up.

interface ComposeService {
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: unknown; disable?: boolean };
  command?: string[];
}

function composeConfig(file = 'docker-compose.yml') {
  const r = run(tool('docker-compose'), ['-f', file, 'config']);
  return {
    ...r,
    services:
      r.status === 0
        ? yamlDocuments<{ services: Record<string, ComposeService> }>(r.stdout)[0]!.services
        : {},
  };
}

/** The config sections a service reads (the catalogue says which), its own from services/<name>/src. */
async function sectionsOf(spec: ServiceSpec): Promise<Spec> {
  const all: Record<string, ConfigSection<unknown>> = {
    service: serviceSection({ name: spec.name, httpPort: spec.httpPort }),
    kafka: kafkaSection({ clientId: spec.name }),
    mongo: mongoSection(),
    s3: s3Section(),
  };
  const spec_: Record<string, ConfigSection<unknown>> = {};
  for (const name of spec.configSections) {
    if (name !== 'own') spec_[name] = all[name]!;
  }
  const own = join(repoRoot, 'services', spec.name, 'src', `${spec.name}.config.ts`);
  if (spec.configSections.includes('own') && existsSync(own)) {
    const module = (await import(own)) as Record<string, unknown>;
    for (const [key, value] of Object.entries(module)) {
      if (typeof value === 'object' && value !== null && (value as { kind?: string }).kind === 'section') {
        spec_[key] = value as ConfigSection<unknown>;
      }
    }
  }
  return spec_;
}

describe('docker-compose.yml', () => {
  const compose = composeConfig();

  it('passes docker-compose config', () => {
    expect(compose.stderr).toBe('');
    expect(compose.status).toBe(0);
  });

  it.each(serviceSpecs().map((s) => [s.name, s] as const))(
    "gives %s an environment that passes the service's own config validation",
    async (_name, spec) => {
      const env = compose.services[spec.name]!.environment!;
      const config = loadConfig(await sectionsOf(spec), env) as Record<string, unknown>;
      expect(config.service).toMatchObject({ name: spec.name, http: { port: spec.httpPort } });
      expect(config.kafka).toMatchObject({ brokers: ['kafka:9092'] });
    },
  );

  it('gives the init step what netsentry provision reads', () => {
    const env = compose.services.init!.environment!;
    expect(compose.services.init!.command).toEqual(['node', 'cli/bin/netsentry.js', 'provision']);
    expect(() =>
      loadConfig({ kafka: kafkaSection({ clientId: 'provision' }), s3: s3Section() }, env),
    ).not.toThrow();
  });

  it('starts in order by health: servers healthy, then init completed, then the services', () => {
    expect(compose.services.init!.depends_on).toEqual({
      kafka: { condition: 'service_healthy' },
      minio: { condition: 'service_healthy' },
    });
    for (const server of ['kafka', 'mongo', 'minio', 'prometheus']) {
      expect(compose.services[server]!.healthcheck?.test, server).toBeDefined();
    }
    for (const spec of serviceSpecs()) {
      expect(compose.services[spec.name]!.depends_on).toMatchObject({
        init: { condition: 'service_completed_successfully' },
        mongo: { condition: 'service_healthy' },
      });
    }
  });

  it('would fail the check for a bad variable (the validation is not a formality)', async () => {
    const spec = serviceSpecs()[0]!;
    const env = { ...compose.services[spec.name]!.environment!, NETSENTRY_HTTP_PORT: 'eighty' };
    await expect(async () => loadConfig(await sectionsOf(spec), env)).rejects.toThrow(ConfigError);
  });
});
