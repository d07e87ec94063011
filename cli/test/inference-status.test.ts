import { Metrics } from '@netsentry/observability';
import { describe, expect, it } from 'vitest';
import { inferenceSnapshot, parsePrometheusText, recordRate } from '../src/inference-status';

// The exposition as inference serves it: prom-client's text, with inference's series names
// (services/inference/src/inference.metrics.ts) and the runtime's consumer lag.
async function exposition(records: number, version: string | null): Promise<string> {
  const metrics = new Metrics({ service: 'inference', defaultMetrics: false });
  metrics.counter('netsentry_inference_records_total', 'Live records consumed').inc(records);
  const info = metrics.gauge('netsentry_inference_model_info', 'served', ['version', 'dataset']);
  if (version !== null) info.set({ version, dataset: 'phishing' }, 1);
  metrics.consumerLag.set({ topic: 'prod.traffic.records', partition: '0' }, 12);
  metrics.consumerLag.set({ topic: 'prod.traffic.records', partition: '1' }, 30);
  metrics.consumerLag.set({ topic: 'prod.model.pushed', partition: '0' }, 5);
  return metrics.registry.metrics();
}

describe('status: inference /metrics', () => {
  it('parses samples with labels (escapes included), skipping comments', () => {
    const samples = parsePrometheusText(
      '# HELP x help\n# TYPE x gauge\nx{a="1",b="say \\"hi\\"\\\\"} 2.5\ny 7 1700000000000\nz{le="+Inf"} +Inf\n',
    );
    expect(samples).toEqual([
      { name: 'x', labels: { a: '1', b: 'say "hi"\\' }, value: 2.5 },
      { name: 'y', labels: {}, value: 7 },
      { name: 'z', labels: { le: '+Inf' }, value: Infinity },
    ]);
  });

  it('reads the served version, the records counter and the lag summed over traffic.records partitions', async () => {
    expect(
      inferenceSnapshot(parsePrometheusText(await exposition(1_234, 'm-20260102030405-1a2b3c4d'))),
    ).toEqual({
      servedVersion: 'm-20260102030405-1a2b3c4d',
      dataset: 'phishing',
      recordsTotal: 1_234,
      lag: 42,
    });
    expect(inferenceSnapshot(parsePrometheusText(await exposition(0, null)))).toMatchObject({
      servedVersion: null,
      recordsTotal: 0,
    });
  });

  it('records/s from two scrapes; unknown across a restart (the counter went back)', async () => {
    const first = inferenceSnapshot(parsePrometheusText(await exposition(1_000, 'm-1')));
    const second = inferenceSnapshot(parsePrometheusText(await exposition(1_500, 'm-1')));
    expect(recordRate(first, second, 1_000)).toBe(500);
    expect(recordRate(first, second, 2_000)).toBe(250);
    expect(recordRate(second, first, 1_000)).toBeNull();
  });
});
