import { ConfigError } from '@netsentry/config';
import type { ModelRecord, Run } from '@netsentry/registry';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_URLS, formatStatus, serviceEndpoints, type StatusReport } from '../src/status';

const at = new Date('2026-11-22T03:21:17Z');
const model = (version: string, status: ModelRecord['status'], f1: number | null, reasons: string[] = []) =>
  ({
    version,
    runId: `run-${version}`,
    dataset: 'phishing',
    bundle: {
      uri: 's3://b/x',
      sha256: 'a'.repeat(64),
      sizeBytes: 1,
      rowCount: null,
      mediaType: 'application/json',
    },
    candidate: 'random-forest',
    params: {},
    cvMetrics: { f1: 0.9639 },
    testMetrics: f1 === null ? null : { f1 },
    status,
    reasons,
    revision: 1,
    createdAt: at,
    updatedAt: at,
  }) satisfies ModelRecord;

describe('netsentry status', () => {
  it('shows production, its history, the models with why they were quarantined, runs and services', () => {
    const run: Run = {
      runId: 'run-1',
      correlationId: 'c',
      trigger: { commandId: 'c', reason: 'test' },
      dataset: 'phishing',
      status: 'quarantined',
      startedAt: at,
      endedAt: at,
      reason: 'model m-2 rejected: f1 0.966 does not beat production m-1 (0.966) by the margin 0.020',
      stages: {
        ingestion: { status: 'succeeded', eventId: 'e1', at, detail: null },
        evaluator: {
          status: 'quarantined',
          eventId: 'e2',
          at: new Date(at.getTime() + 60_000),
          detail: null,
        },
      },
      revision: 1,
    };
    const head = {
      alias: 'production-phishing',
      version: 'm-1',
      revision: 1,
      movedAt: at,
      reason: 'FLOORS_ONLY',
      actor: 'pusher',
      action: 'PUSH' as const,
      eventId: 'e',
    };
    const nsl = {
      ...head,
      alias: 'production-nsl-kdd',
      version: 'm-9',
      revision: 2,
      action: 'PROMOTE' as const,
    };
    const report: StatusReport = {
      productions: [
        { dataset: 'nsl-kdd', production: nsl, history: [] },
        { dataset: 'phishing', production: head, history: [{ ...head, previousVersion: null }] },
      ],
      models: [
        model('m-2', 'quarantined', 0.9659, [
          'f1 0.966 does not beat production m-1 (0.966) by the margin 0.020',
        ]),
        model('m-1', 'pushed', 0.9659),
      ],
      runs: [run],
      services: [
        { name: 'pusher', url: 'http://127.0.0.1:8086', state: 'ready', detail: 'ready' },
        { name: 'trainer', url: 'http://127.0.0.1:8084', state: 'down', detail: 'ECONNREFUSED' },
      ],
    };
    const text = formatStatus(report);
    expect(text).toMatch(
      /^production phishing: m-1 since 2026-11-22 03:21:17 \(PUSH by pusher: FLOORS_ONLY\)$/m,
    );
    expect(text).toMatch(/^production nsl-kdd: m-9 since 2026-11-22 03:21:17 \(PROMOTE by pusher: /m);
    expect(text).toContain('production history of phishing (newest first):');
    expect(text).toMatch(/^ {2}1 +2026-11-22 03:21:17 +PUSH +m-1 +- +pusher +FLOORS_ONLY$/m);
    expect(text).toMatch(
      /^ {2}m-2 +quarantined +random-forest +0\.9659 +0\.9639 +run-m-2 +f1 0\.966 does not beat/m,
    );
    expect(text).toMatch(/^ {2}m-1 +pushed +random-forest +0\.9659 +0\.9639 +run-m-1 *$/m);
    expect(text).toMatch(
      /^ {2}run-1 +quarantined +phishing +2026-11-22 03:21:17 +evaluator quarantined +model m-2 rejected/m,
    );
    expect(text).toMatch(/^ {2}trainer +down +http:\/\/127\.0\.0\.1:8084 +ECONNREFUSED$/m);
  });

  it("shows inference's served version, records/s and lag, or why /metrics could not be read", () => {
    const service = {
      name: 'inference',
      url: 'http://127.0.0.1:8087',
      state: 'ready' as const,
      detail: 'ready',
    };
    const text = formatStatus({
      productions: [],
      models: [],
      runs: [],
      services: [
        {
          ...service,
          inference: {
            servedVersion: 'm-1',
            dataset: 'phishing',
            recordsTotal: 9_000,
            lag: 42,
            recordsPerSecond: 512.5,
          },
        },
      ],
    });
    expect(text).toContain(
      'inference:\n  serving:   m-1 (phishing)\n  records/s: 512.5 (over 1 s; 9000 since start)\n  lag:       42 records behind on traffic.records',
    );
    const broken = formatStatus({
      productions: [],
      models: [],
      runs: [],
      services: [{ ...service, inference: { error: '/metrics answered 500' } }],
    });
    expect(broken).toContain('inference:\n  /metrics: /metrics answered 500');
  });

  it('says when nothing has been pushed yet', () => {
    const text = formatStatus({ productions: [], models: [], runs: [], services: [] });
    expect(text).toContain('production: none (no model has been pushed)');
    expect(text).toContain('models (newest first):\n  none');
  });

  it('reads the service list from NETSENTRY_SERVICE_URLS, naming it when malformed', () => {
    expect(serviceEndpoints({}).map((s) => s.name)).toEqual([
      'ingestion',
      'validation',
      'transform',
      'trainer',
      'evaluator',
      'pusher',
      'inference',
    ]);
    expect(DEFAULT_SERVICE_URLS).toContain('pusher=http://127.0.0.1:8086');
    expect(DEFAULT_SERVICE_URLS).toContain('inference=http://127.0.0.1:8087');
    expect(serviceEndpoints({ NETSENTRY_SERVICE_URLS: 'pusher=http://pusher:8086/' })).toEqual([
      { name: 'pusher', url: 'http://pusher:8086' },
    ]);
    expect(() => serviceEndpoints({ NETSENTRY_SERVICE_URLS: 'pusher:8086' })).toThrow(ConfigError);
    expect(() => serviceEndpoints({ NETSENTRY_SERVICE_URLS: 'pusher:8086' })).toThrow(
      /NETSENTRY_SERVICE_URLS/,
    );
  });
});
