import { describe, expect, it } from 'vitest';
import { decideAcceptance, DEFAULT_ACCEPTANCE } from './acceptance';
import { binaryMetrics, rocAuc } from './metrics';

// Reference values from scikit-learn 1.2.1 (Debian python3-sklearn):
//   y=np.array([1,0,1,1,0,0,1,0,1,0]); s=np.array([0.9,0.4,0.65,0.4,0.2,0.7,0.8,0.1,0.3,0.4])
//   roc_auc_score(y,s) → 0.76; average_precision_score(y,s) → 0.7892857142857144
//   f1_score(y,s>=0.5) → 0.6666666666666665; precision_score → 0.75; recall_score → 0.6
const y = Uint8Array.from([1, 0, 1, 1, 0, 0, 1, 0, 1, 0]);
const s = Float64Array.from([0.9, 0.4, 0.65, 0.4, 0.2, 0.7, 0.8, 0.1, 0.3, 0.4]);

describe('binaryMetrics', () => {
  it('matches scikit-learn, ties included', () => {
    const m = binaryMetrics(y, s);
    expect(m.rocAuc).toBeCloseTo(0.76, 12);
    expect(m.prAuc).toBeCloseTo(0.7892857142857144, 12);
    expect(m.f1).toBeCloseTo(0.6666666666666665, 12);
    expect(m.precision).toBeCloseTo(0.75, 12);
    expect(m.recall).toBeCloseTo(0.6, 12);
    expect(m.confusion).toEqual({ tp: 3, fp: 1, tn: 4, fn: 2 });
  });

  it('gives ROC AUC 0.5 for constant scores and NaN without both classes', () => {
    expect(rocAuc(y, new Float64Array(10).fill(0.3))).toBe(0.5);
    expect(rocAuc(new Uint8Array(3).fill(1), Float64Array.from([0.1, 0.2, 0.3]))).toBeNaN();
  });
});

describe('decideAcceptance', () => {
  const metrics = (f1: number) => ({ ...binaryMetrics(y, s), f1 });

  it('accepts on the floors alone when nothing is in production', () => {
    const verdict = decideAcceptance({
      candidate: { test: metrics(0.97), train: metrics(0.99) },
      production: null,
      policy: DEFAULT_ACCEPTANCE,
    });
    expect(verdict.accepted).toBe(true);
    expect(verdict.reasons).toContain('no production model: the floors alone decide');
  });

  it('rejects with each reason in words', () => {
    const verdict = decideAcceptance({
      candidate: { test: metrics(0.951), train: metrics(1.0) },
      production: { version: 'm-1', test: metrics(0.96) },
      policy: { ...DEFAULT_ACCEPTANCE, minimum: 0.96 },
    });
    expect(verdict.accepted).toBe(false);
    expect(verdict.failed).toEqual([
      'f1 0.951 < required 0.960',
      'f1 0.951 does not beat production m-1 (0.960) by the margin 0.020: needs >= 0.980',
    ]);
    expect(verdict.reasons).toContain('train/test gap 0.049 <= 0.050');
    expect(verdict.failedChecks).toEqual(['METRIC_FLOOR', 'PRODUCTION_MARGIN']);
  });

  it('rejects a candidate that is as good as production but not better by the margin', () => {
    const verdict = decideAcceptance({
      candidate: { test: metrics(0.97), train: metrics(0.98) },
      production: { version: 'm-1', test: metrics(0.965) },
      policy: DEFAULT_ACCEPTANCE,
    });
    expect(verdict.accepted).toBe(false);
    expect(verdict.failed).toEqual([
      'f1 0.970 does not beat production m-1 (0.965) by the margin 0.020: needs >= 0.985',
    ]);
    expect(verdict.failedChecks).toEqual(['PRODUCTION_MARGIN']);
  });

  it('rejects an overfitted candidate', () => {
    const verdict = decideAcceptance({
      candidate: { test: metrics(0.92), train: metrics(1.0) },
      production: null,
      policy: DEFAULT_ACCEPTANCE,
    });
    expect(verdict.failed).toEqual(['train/test gap 0.080 > 0.050 (train 1.000, test 0.920)']);
    expect(verdict.failedChecks).toEqual(['TRAIN_TEST_GAP']);
    expect(verdict.checks.map((c) => [c.check, c.ok])).toEqual([
      ['METRIC_FLOOR', true],
      ['TRAIN_TEST_GAP', false],
      ['PRODUCTION_MARGIN', true],
    ]);
  });
});
