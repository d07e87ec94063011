import { SERVICE_CATALOGUE } from '@netsentry/contracts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { freePort, prometheusBinary, ServiceProcess, waitFor } from './live';
import { repoRoot } from './tools';

// A real Prometheus scrapes a real service (validation, against the local Kafka, FerretDB and S3Proxy) with
// the alert rule of deploy/prometheus/rules; the test stops the service and watches NetsentryServiceDown go
// pending, then firing, and clear once the service is back. Same expression and labels as in production;
// only the intervals and the rule's `for` are shortened (1 s scrapes, 3 s instead of 1 m).

interface Rule {
  alert?: string;
  for?: string;
}
interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

const FOR = '3s';
const dir = mkdtempSync(join(tmpdir(), 'netsentry-service-down-'));
let service: ServiceProcess;
let prometheus: ChildProcess;
let promUrl = '';
let promLog = '';

async function serviceDownAlerts(): Promise<Alert[]> {
  const res = await fetch(`${promUrl}/api/v1/alerts`);
  const body = (await res.json()) as { data: { alerts: Alert[] } };
  return body.data.alerts.filter((a) => a.labels.alertname === 'NetsentryServiceDown');
}

async function targetHealth(): Promise<string | undefined> {
  const res = await fetch(`${promUrl}/api/v1/targets`);
  const body = (await res.json()) as { data: { activeTargets: { health: string }[] } };
  return body.data.activeTargets[0]?.health;
}

beforeAll(async () => {
  const binary = prometheusBinary();
  service = new ServiceProcess('validation', await freePort());
  await service.start();

  const rules = parse(
    readFileSync(join(repoRoot, 'deploy/prometheus/rules/netsentry.rules.yml'), 'utf8'),
  ) as {
    groups: { name: string; rules: Rule[] }[];
  };
  const group = rules.groups.find((g) => g.rules.some((r) => r.alert === 'NetsentryServiceDown'))!;
  const rule = group.rules.find((r) => r.alert === 'NetsentryServiceDown')!;
  writeFileSync(
    join(dir, 'rules.yml'),
    stringify({ groups: [{ name: group.name, rules: [{ ...rule, for: FOR }] }] }),
  );
  writeFileSync(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      rule_files: ['rules.yml'],
      scrape_configs: [
        {
          job_name: 'netsentry',
          honor_labels: true,
          static_configs: [
            {
              targets: [`127.0.0.1:${service.port}`],
              labels: { system: 'netsentry', service: SERVICE_CATALOGUE.validation.name },
            },
          ],
        },
      ],
    }),
  );
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stderr!.on('data', (d: Buffer) => (promLog += d.toString()));
  await waitFor(
    'Prometheus ready',
    async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined),
    20_000,
  );
  await waitFor(
    'the service scraped up',
    async () => ((await targetHealth()) === 'up' ? true : undefined),
    15_000,
  );
});

afterAll(async () => {
  await service?.stop();
  if (prometheus !== undefined && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('NetsentryServiceDown in a real Prometheus', () => {
  it('goes pending, then firing when the service stops, and clears when it is back', async () => {
    expect(await serviceDownAlerts()).toEqual([]);

    // watch while the service drains: its HTTP endpoint closes before the process exits
    const stopped = service.stop();
    const seen: string[] = [];
    const firing = await waitFor(
      'NetsentryServiceDown firing',
      async () => {
        const alerts = await serviceDownAlerts();
        for (const a of alerts) if (seen.at(-1) !== a.state) seen.push(a.state);
        return alerts.find((a) => a.state === 'firing');
      },
      20_000,
      200,
    );
    await stopped;
    expect(seen).toEqual(['pending', 'firing']);
    expect(firing.labels).toMatchObject({ service: 'validation', system: 'netsentry', severity: 'critical' });

    await service.start();
    await waitFor(
      'the alert to clear',
      async () => ((await serviceDownAlerts()).length === 0 ? true : undefined),
      15_000,
    );
    expect(await targetHealth(), promLog).toBe('up');
  });
});
