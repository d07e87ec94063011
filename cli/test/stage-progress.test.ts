import { Metrics, Progress } from '@netsentry/observability';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../src/inference-status';
import { formatEta, phasesAtWork } from '../src/stage-progress';
import { formatStatus, type StatusReport } from '../src/status';

// The exposition is the one a stage writes: the real Progress gauges on a real prom-client registry.
async function exposition(work: (progress: Progress, clock: { now: number }) => void): Promise<string> {
  const clock = { now: 0 };
  const metrics = new Metrics({ service: 'transform', defaultMetrics: false });
  work(
    new Progress({ stage: 'transform', logger: { info: () => undefined }, metrics, now: () => clock.now }),
    clock,
  );
  return metrics.registry.metrics();
}

describe('phases at work from /metrics', () => {
  it('reads the phase under way with its share and time left, and leaves finished phases out', async () => {
    const text = await exposition((progress, clock) => {
      const read = progress.phase('read', 1_000);
      clock.now += 2_000;
      read.finish();
      const smote = progress.phase('smote-neighbours', 400_000);
      clock.now += 30_000; // 100,000 rows in 30 s: 300,000 left at that rate is 90 s
      smote.update(100_000);
    });
    expect(phasesAtWork(parsePrometheusText(text))).toEqual([
      { stage: 'transform', phase: 'smote-neighbours', ratio: 0.25, etaSeconds: 90 },
    ]);
  });

  it('says the time left is not known before the first rows are done, and nothing when idle', async () => {
    const starting = await exposition((progress) => void progress.phase('encode', 10));
    expect(phasesAtWork(parsePrometheusText(starting))).toEqual([
      { stage: 'transform', phase: 'encode', ratio: 0, etaSeconds: null },
    ]);
    const idle = await exposition((progress) => progress.phase('encode', 10).finish());
    expect(phasesAtWork(parsePrometheusText(idle))).toEqual([]);
    expect(phasesAtWork(parsePrometheusText(''))).toEqual([]);
  });

  it('renders the time left as an operator reads it', () => {
    expect(formatEta(null)).toBe('time left not known yet');
    expect(formatEta(44.6)).toBe('about 45 s left');
    expect(formatEta(185)).toBe('about 3 min 05 s left');
    expect(formatEta(3_725)).toBe('about 1 h 02 min left');
  });
});

describe('netsentry status: services at work', () => {
  const report = (services: StatusReport['services']): StatusReport => ({
    productions: [],
    models: [],
    runs: [],
    services,
  });

  it('shows each phase at work under its service, in text and in JSON', () => {
    const r = report([
      {
        name: 'transform',
        url: 'http://127.0.0.1:8083',
        state: 'ready',
        detail: 'ready',
        progress: [{ stage: 'transform', phase: 'smote-neighbours', ratio: 0.4523, etaSeconds: 72 }],
      },
      { name: 'trainer', url: 'http://127.0.0.1:8084', state: 'ready', detail: 'ready', progress: [] },
      { name: 'pusher', url: 'http://127.0.0.1:8086', state: 'down', detail: 'ECONNREFUSED' },
    ]);
    const text = formatStatus(r);
    expect(text).toContain('at work (phase, share done, time left):');
    expect(text).toMatch(/^ {2}transform {2}smote-neighbours {2}45\.2% {2}about 1 min 12 s left$/m);
    expect(text).not.toMatch(/^ {2}trainer {2}\S/m);
    const json = JSON.parse(JSON.stringify(r)) as StatusReport;
    expect(json.services[0]!.progress).toEqual([
      { stage: 'transform', phase: 'smote-neighbours', ratio: 0.4523, etaSeconds: 72 },
    ]);
  });

  it('says no phase is under way when none is reported, and nothing when no /metrics answered', () => {
    const idle = formatStatus(
      report([{ name: 'trainer', url: 'http://x', state: 'ready', detail: 'ready', progress: [] }]),
    );
    expect(idle).toContain('none: no service reports a phase under way');
    const down = formatStatus(report([{ name: 'trainer', url: 'http://x', state: 'down', detail: 'x' }]));
    expect(down).not.toContain('at work');
  });
});
