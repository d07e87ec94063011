import type { AliasHistoryEntry, ModelRecord, ModelTransition } from '@netsentry/registry';
import { describe, expect, it } from 'vitest';
import { cvScoreOf, describeModel, formatModel, formatModelList } from '../src/models';

const t0 = new Date('2026-11-22T03:00:00Z');
const after = (s: number): Date => new Date(t0.getTime() + s * 1_000);

const model = (over: Partial<ModelRecord> = {}): ModelRecord => ({
  version: 'm-2',
  runId: 'run-2',
  dataset: 'phishing',
  bundle: {
    uri: 's3://b/m-2',
    sha256: 'a'.repeat(64),
    sizeBytes: 1,
    rowCount: null,
    mediaType: 'application/json',
  },
  candidate: 'xgboost',
  params: { eta: 0.1 },
  cvMetrics: { f1: 0.961, f1Std: 0.003 },
  testMetrics: { f1: 0.9659, precision: 0.978, recall: 0.9541 },
  status: 'quarantined',
  reasons: ['f1 0.966 does not beat production m-1 (0.966) by the margin 0.020'],
  revision: 1,
  createdAt: t0,
  updatedAt: after(3),
  ...over,
});

const move = (
  revision: number,
  version: string,
  previousVersion: string | null,
  action: AliasHistoryEntry['action'] = 'PUSH',
): AliasHistoryEntry => ({
  alias: 'production-phishing',
  version,
  previousVersion,
  revision,
  movedAt: after(revision * 60),
  reason: `move ${revision}`,
  actor: action === 'PUSH' ? 'pusher' : 'alice',
  action,
  eventId: `e-${revision}`,
});

describe('models: describeModel', () => {
  it('the CV score is the metric without Std, with its spread', () => {
    expect(cvScoreOf({ f1: 0.96, f1Std: 0.01 })).toEqual({ metric: 'f1', mean: 0.96, std: 0.01 });
    expect(cvScoreOf({ precision: 0.9 })).toEqual({ metric: 'precision', mean: 0.9, std: null });
    expect(cvScoreOf({})).toBeNull();
  });

  it('a model the evaluator quarantined: the failed checks, its history from registration, never production', () => {
    const transitions: ModelTransition[] = [
      { revision: 1, from: 'trained', to: 'quarantined', reasons: model().reasons, at: after(3) },
    ];
    const report = describeModel({
      model: model(),
      dataset: 'phishing',
      transitions,
      production: { version: 'm-1' },
      aliasHistory: [move(1, 'm-1', null)],
    });
    expect(report.quarantine).toEqual({ by: 'evaluator', at: after(3), failedChecks: model().reasons });
    expect(report.history.map((h) => [h.from, h.to])).toEqual([
      [null, 'trained'],
      ['trained', 'quarantined'],
    ]);
    expect(report.production).toEqual({
      dataset: 'phishing',
      current: false,
      productionVersion: 'm-1',
      moves: [],
    });
    const text = formatModel(report);
    expect(text).toContain('  cv score:   f1 0.9610 ± 0.0030');
    expect(text).toContain('  test:       f1 0.9659, precision 0.9780, recall 0.9541');
    expect(text).toContain(
      'quarantined by the evaluator at 2026-11-22 03:00:03; failed checks:\n  - f1 0.966 does not beat',
    );
    expect(text).toMatch(/^ {2}2026-11-22 03:00:03 +trained +quarantined +3\.0 s +f1 0\.966/m);
    expect(text).toContain('  not production of phishing (production: m-1)\n  never in production');
    expect(formatModelList([report])).toMatch(
      /^m-2 +phishing +quarantined +- +xgboost +f1 0\.9610 +0\.9659 +2026-11-22 03:00:00 +f1 0\.966 does not beat/m,
    );
  });

  it('an accepted model the pusher quarantined (bundle failed verification) says the pusher did it', () => {
    const report = describeModel({
      model: model({ status: 'quarantined', reasons: ['scores differ'] }),
      dataset: 'phishing',
      transitions: [
        { revision: 1, from: 'trained', to: 'accepted', reasons: ['ok'], at: after(3) },
        { revision: 2, from: 'accepted', to: 'quarantined', reasons: ['scores differ'], at: after(5) },
      ],
      production: null,
      aliasHistory: [],
    });
    expect(report.quarantine).toMatchObject({ by: 'pusher', failedChecks: ['scores differ'] });
  });

  it('production now and in the alias history: every move to it or away from it, newest first', () => {
    const history = [
      move(4, 'm-2', 'm-1', 'ROLLBACK'),
      move(3, 'm-1', 'm-2', 'PROMOTE'),
      move(2, 'm-2', 'm-1'),
      move(1, 'm-1', null),
    ];
    const report = describeModel({
      model: model({ status: 'pushed', reasons: [] }),
      dataset: 'phishing',
      transitions: [],
      production: { version: 'm-2' },
      aliasHistory: history,
    });
    expect(report.quarantine).toBeNull();
    expect(report.production?.current).toBe(true);
    expect(report.production?.moves.map((m) => m.revision)).toEqual([4, 3, 2]);
    const text = formatModel(report);
    expect(text).toContain('  production of phishing now');
    expect(text).toMatch(/^ {2}4 +2026-11-22 03:04:00 +ROLLBACK +m-2 +m-1 +alice +move 4$/m);
    expect(formatModelList([report])).toMatch(/^m-2 +phishing +pushed +production +xgboost/m);
  });
});
