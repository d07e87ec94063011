import { serviceSpecs } from '@netsentry/contracts';
import { isolatedStageEnv } from '@netsentry/testkit';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardMetrics, readDashboard } from './dashboard';
import { freePort, ServiceProcess } from './live';
import { repoRoot } from './tools';

// The dashboard and the alert rules query only metrics the services really export: every service that is
// built is started against the local servers and its /metrics scraped (`# TYPE` lines list every family,
// with or without samples yet). A service whose dist/ is missing (not built) is skipped and reported.

const present = serviceSpecs().filter((s) => existsSync(join(repoRoot, 'services', s.name, 'dist/main.js')));
const missing = serviceSpecs().filter((s) => !present.includes(s));
const exported = new Map<string, Set<string>>();
const running: ServiceProcess[] = [];

beforeAll(async () => {
  for (const spec of present) {
    const env = { ...isolatedStageEnv(`deploy-${spec.name}`), NETSENTRY_INFERENCE_DATASET: 'phishing' };
    running.push(new ServiceProcess(spec.name, await freePort(), env));
  }
  // Inference stays not ready until its dataset has a production model (none here); it is alive and
  // serves /metrics all the same, with every family declared.
  await Promise.all(running.map((s) => s.start(60_000, s.name === 'inference' ? '/healthz' : '/readyz')));
  for (const s of running) {
    const families = [...(await s.metrics()).matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1]!);
    exported.set(s.name, new Set(families));
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

/** The service a metric belongs to by its name (netsentry_<service>_…), or null for the shared ones. */
function owner(metric: string): string | null {
  return serviceSpecs().find((s) => metric.startsWith(`netsentry_${s.name}_`))?.name ?? null;
}

function ruleMetrics(): Set<string> {
  const text = readFileSync(join(repoRoot, 'deploy/prometheus/rules/netsentry.rules.yml'), 'utf8');
  const exprs = [...text.matchAll(/expr: (\|\n(?:\s{10,}.*\n)+|.*)/g)].map((m) => m[1]!);
  return new Set(
    exprs.flatMap((e) =>
      [...e.matchAll(/\bnetsentry_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')),
    ),
  );
}

describe.each([
  ['the Grafana dashboard', () => dashboardMetrics(readDashboard())],
  ['the alert rules', ruleMetrics],
])('%s', (_what, metricsOf) => {
  it('references only metrics that every (shared) or its own (netsentry_<service>_*) service exports', () => {
    const metrics = [...metricsOf()];
    expect(metrics.length).toBeGreaterThan(3);
    for (const metric of metrics) {
      const service = owner(metric);
      if (service === null) {
        for (const [name, families] of exported)
          expect(families.has(metric), `${name} exports ${metric}`).toBe(true);
      } else if (exported.has(service)) {
        expect(exported.get(service)!.has(metric), `${service} exports ${metric}`).toBe(true);
      } else {
        expect(
          missing.map((s) => s.name),
          `${metric}: no service ${service}`,
        ).toContain(service);
      }
    }
  });
});

describe.skipIf(missing.length === 0)('services not built here', () => {
  it.skip(`cannot be scraped: ${missing.map((s) => s.name).join(', ')} (their metrics are not checked)`, () => {});
});
