import { describe, expect, it } from 'vitest';
import { dashboardMetrics, readDashboard } from './dashboard';

// The Grafana dashboard (deploy/grafana/dashboards/netsentry.json) covers what an operator watches; that
// its metrics really exist is checked against live /metrics scrapes in dashboard-metrics.int.test.ts.

describe('Grafana dashboard', () => {
  const dashboard = readDashboard();

  it('has a query on every panel, all on the provisioned Prometheus datasource', () => {
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    for (const p of panels) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      expect(p.datasource?.uid, p.title).toBe('prometheus');
    }
  });

  it('shows throughput, latency percentiles, predictions, dead letters, drift, the served model and stages', () => {
    const metrics = dashboardMetrics(dashboard);
    for (const m of [
      'netsentry_events_consumed_total',
      'netsentry_inference_records_total',
      'netsentry_inference_e2e_latency_seconds',
      'netsentry_inference_predictions_total',
      'netsentry_inference_dlq_total',
      'netsentry_inference_drift_score',
      'netsentry_inference_model_info',
      'netsentry_handler_duration_seconds',
      'netsentry_evaluator_verdicts_total',
    ]) {
      expect(metrics.has(m), m).toBe(true);
    }
  });
});
