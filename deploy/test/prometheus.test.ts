import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readYaml, repoRoot, run, tool } from './tools';

// The alert rules pass promtool's checks and unit tests (deploy/prometheus/tests), every alert is tested
// and has a response section in the runbook, and the scrape configs are valid.

interface Rules {
  groups: { name: string; rules: { alert?: string; expr: string; annotations?: Record<string, string> }[] }[];
}
interface RuleTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const rules = readYaml<Rules>('deploy/prometheus/rules/netsentry.rules.yml');
const alerts = rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.alert === undefined ? [] : [r])));

describe('Prometheus rules', () => {
  it('pass promtool check rules', () => {
    const r = run(tool('promtool'), ['check', 'rules', 'deploy/prometheus/rules/netsentry.rules.yml']);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`SUCCESS: ${alerts.length} rules found`));
    expect(r.status).toBe(0);
  });

  it('pass their promtool unit tests', () => {
    const r = run(tool('promtool'), ['test', 'rules', 'deploy/prometheus/tests/netsentry.test.yml']);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('cover what the issue asks for, each alert tested firing and silent, each with a runbook section', () => {
    const names = alerts.map((a) => a.alert!);
    expect(names).toEqual(
      expect.arrayContaining([
        'NetsentryServiceDown',
        'NetsentryConsumerLagGrowing',
        'NetsentryInferenceDeadLetterRate',
        'NetsentryPipelineDeadLetters',
        'NetsentryPipelineRunQuarantined',
        'NetsentryNoProductionModel',
        'NetsentryLiveDriftHigh',
        'NetsentryInferenceLatencyHigh',
      ]),
    );
    const cases = readYaml<RuleTests>('deploy/prometheus/tests/netsentry.test.yml').tests.flatMap(
      (t) => t.alert_rule_test ?? [],
    );
    const runbook = readFileSync(join(repoRoot, 'docs/operations.md'), 'utf8');
    for (const name of names) {
      const mine = cases.filter((c) => c.alertname === name);
      expect(
        mine.some((c) => c.exp_alerts.length > 0),
        `${name} never expected to fire`,
      ).toBe(true);
      expect(
        mine.some((c) => c.exp_alerts.length === 0),
        `${name} never expected silent`,
      ).toBe(true);
      const anchor = alerts.find((a) => a.alert === name)!.annotations!.runbook_url!;
      expect(anchor).toBe(`docs/operations.md#${name.toLowerCase()}`);
      expect(runbook, `docs/operations.md has no "### ${name}" section`).toMatch(
        new RegExp(`^### ${name}$`, 'm'),
      );
    }
  });

  it('fail their unit tests when an alert is changed (the tests can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netsentry-rules-'));
    const text = readFileSync(join(repoRoot, 'deploy/prometheus/rules/netsentry.rules.yml'), 'utf8');
    writeFileSync(join(dir, 'netsentry.rules.yml'), text.replace('up{system="netsentry"} == 0', 'up == 2'));
    const tests = readFileSync(join(repoRoot, 'deploy/prometheus/tests/netsentry.test.yml'), 'utf8');
    writeFileSync(
      join(dir, 'tests.yml'),
      tests.replace('../rules/netsentry.rules.yml', 'netsentry.rules.yml'),
    );
    const r = run(tool('promtool'), ['test', 'rules', join(dir, 'tests.yml')]);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain('alertname: NetsentryServiceDown');
  });

  it.each(['deploy/local/prometheus/prometheus.yml', 'deploy/compose/prometheus.yml'])(
    '%s passes promtool check config',
    (path) => {
      const r = run(tool('promtool'), ['check', 'config', '--syntax-only', path]);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    },
  );
});
