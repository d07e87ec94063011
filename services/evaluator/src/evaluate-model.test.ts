import { DEFAULT_ACCEPTANCE, frameFromJson, type Frame, type LabelledFrame } from '@netsentry/ml';
import { describe, expect, it } from 'vitest';
import { evaluateModel, sampleRows, type Scorer } from './evaluate-model';

// 20 records; column `x` is the truth signal. A scorer reads x through a function, like a model would.
const frame = (xs: number[]): Frame => ({
  rows: xs.length,
  columns: [{ kind: 'numeric', name: 'x', values: Float64Array.from(xs) }],
});
const labelled = (xs: number[]): LabelledFrame => ({
  features: frame(xs),
  labels: Uint8Array.from(xs, (x) => (x >= 10 ? 1 : 0)),
});
const train = labelled(Array.from({ length: 40 }, (_, i) => i % 20));
const test = labelled(Array.from({ length: 20 }, (_, i) => i));
const scorer = (f: (x: number) => number): Scorer => ({
  bundle: { threshold: 0.5 },
  scoreFrame: (fr) => Float64Array.from((fr.columns[0]!.values as Float64Array).map(f)),
});
const perfect = scorer((x) => (x >= 10 ? 0.9 : 0.1));
// Wrong on x = 10..13: recall 6/10 → f1 0.75.
const weaker = scorer((x) => (x >= 14 ? 0.9 : 0.1));
const base = {
  runId: 'run-1',
  modelVersion: 'm-2',
  dataset: 'phishing',
  bundle: { uri: 's3://b/runs/run-1/model/bundle/abc.json', sha256: 'abc' },
  testSet: { uri: 's3://b/runs/run-1/dataset/test/def.csv', sha256: 'def' },
  train,
  test,
  policy: DEFAULT_ACCEPTANCE,
  sampleCount: 8,
  productionAtEvaluation: null,
};

describe('evaluateModel', () => {
  it('with no production model, accepts on the floors alone and keeps sample records with their scores', async () => {
    const report = await evaluateModel({ ...base, candidate: perfect, production: null });
    expect(report.accepted).toBe(true);
    expect(report.verdict).toBe('FLOORS_ONLY');
    expect(report.failed).toEqual([]);
    expect(report.candidate.test.f1).toBe(1);
    expect(report.reasons).toContain("no production model for dataset 'phishing': the floors alone decide");
    expect(report.reasons.filter((r) => /production/.test(r))).toHaveLength(1);
    const samples = frameFromJson(report.samples.records);
    expect(samples.rows).toBe(8);
    expect(Array.from(await perfect.scoreFrame(samples))).toEqual(report.samples.scores);
  });

  it('rejects a candidate below the floor, naming the check and the figures', async () => {
    const report = await evaluateModel({ ...base, candidate: weaker, production: null });
    expect(report.accepted).toBe(false);
    expect(report.verdict).toBe('REJECTED');
    expect(report.failedChecks).toEqual(['METRIC_FLOOR']);
    expect(report.failed).toEqual(['f1 0.750 < required 0.900']);
  });

  it('compares with production on the same test set and needs the margin', async () => {
    const beats = await evaluateModel({
      ...base,
      candidate: perfect,
      production: { version: 'm-1', scorer: weaker },
      productionAtEvaluation: 'm-1',
    });
    expect(beats.verdict).toBe('BEATS_PRODUCTION');
    expect(beats.production?.version).toBe('m-1');
    expect(beats.production?.test.f1).toBeCloseTo(0.75, 12);

    const tie = await evaluateModel({
      ...base,
      candidate: perfect,
      production: { version: 'm-1', scorer: perfect },
    });
    expect(tie.accepted).toBe(false);
    expect(tie.failedChecks).toEqual(['PRODUCTION_MARGIN']);
    expect(tie.failed[0]).toBe(
      'f1 1.000 does not beat production m-1 (1.000) by the margin 0.020: needs >= 1.020',
    );
  });

  it('says so when the production model cannot score the test set, and lets the floors decide', async () => {
    const broken: Scorer = {
      bundle: { threshold: 0.5 },
      scoreFrame: () => {
        throw new Error("no column 'y' in frame");
      },
    };
    const report = await evaluateModel({
      ...base,
      candidate: perfect,
      production: { version: 'm-1', scorer: broken },
    });
    expect(report.verdict).toBe('FLOORS_ONLY');
    expect(report.production).toBeNull();
    expect(report.reasons).toContain(
      "production m-1 could not score this test set (no column 'y' in frame): not compared, the floors alone decide",
    );
    // Said once: not also "no production model".
    expect(report.reasons.filter((r) => /production/.test(r))).toHaveLength(1);
  });
});

describe('sampleRows', () => {
  it('spreads the samples over the whole set', async () => {
    expect(sampleRows(5, 8)).toEqual([0, 1, 2, 3, 4]);
    expect(sampleRows(100, 4)).toEqual([0, 25, 50, 75]);
  });
});
