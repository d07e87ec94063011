import {
  runResampleJob,
  runTrainJob,
  seededRandom,
  smoteTomek,
  takeLabels,
  takeMatrixRows,
  type ResampleJob,
  type TrainJob,
} from '@netsentry/ml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CANDIDATES_PATH, loadCandidatesConfig, parseCandidatesConfig } from './candidates';
import {
  buildFolds,
  compareTrials,
  engineParams,
  randomSearch,
  rebalanceFolds,
  refit,
  sampleTrials,
  stratifiedKFold,
  type FoldResampling,
  type SearchConfig,
  type TrialResult,
} from './search';

/** Two informative features and one noise column; label 1 when x0 + x1 > 1 (with 5% flipped). */
function synthetic(
  rows: number,
  seed: number,
): { X: Float64Array; y: Uint8Array; rows: number; cols: number } {
  const rnd = seededRandom(seed);
  const cols = 3;
  const X = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = rnd.next();
    const b = rnd.next();
    X.set([a, b, rnd.next()], i * cols);
    y[i] = (a + b > 1 ? 1 : 0) ^ (rnd.next() < 0.05 ? 1 : 0);
  }
  return { X, y, rows, cols };
}

const CONFIG: SearchConfig = parseCandidatesConfig(`
metric: f1
folds: 3
seed: 7
trialsPerCandidate: 3
candidates:
  - name: xgboost
    engine: xgboost
    search:
      rounds: { int: [5, 20] }
      maxDepth: { int: [2, 4] }
      eta: { float: [0.1, 0.5], log: true }
  - name: random-forest
    engine: random-forest
    search:
      trees: { int: [5, 15] }
      featureFraction: { float: [0.3, 1.0] }
`);

const inThread = (job: TrainJob) => runTrainJob(job);
const resampleInThread = (job: ResampleJob) => Promise.resolve(runResampleJob(job));

/** Like `synthetic`, but only about a quarter of the rows are positive (label 1 when x0 + x1 > 1.3). */
function imbalanced(
  rows: number,
  seed: number,
): { X: Float64Array; y: Uint8Array; rows: number; cols: number } {
  const rnd = seededRandom(seed);
  const cols = 3;
  const X = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = rnd.next();
    const b = rnd.next();
    X.set([a, b, rnd.next()], i * cols);
    y[i] = (a + b > 1.3 ? 1 : 0) ^ (rnd.next() < 0.03 ? 1 : 0);
  }
  return { X, y, rows, cols };
}

const rowKey = (X: Float64Array, cols: number, r: number): string =>
  Array.from(X.subarray(r * cols, (r + 1) * cols)).join(',');

/** Whether point p lies on the segment a + t·(b − a), t in [0, 1] (to 1e-9). */
function onSegment(p: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  let j0 = 0;
  for (let j = 1; j < p.length; j++) if (Math.abs(b[j]! - a[j]!) > Math.abs(b[j0]! - a[j0]!)) j0 = j;
  const d = b[j0]! - a[j0]!;
  if (d === 0) return false;
  const t = (p[j0]! - a[j0]!) / d;
  if (t < -1e-12 || t > 1 + 1e-12) return false;
  for (let j = 0; j < p.length; j++) if (Math.abs(a[j]! + t * (b[j]! - a[j]!) - p[j]!) > 1e-9) return false;
  return true;
}

/**
 * The rows of a (rebalanced) fold-train matrix that are neither one of `allowed` (the original rows the
 * fold may train on) nor a point between two of `allowed`'s positives: rows that could only have been
 * built from rows outside the fold's training part.
 */
function rowsFromElsewhere(
  trainX: Float64Array,
  trainRows: number,
  allowedX: Float64Array,
  allowedY: Uint8Array,
  cols: number,
): number {
  const originals = new Set<string>();
  for (let r = 0; r < allowedY.length; r++) originals.add(rowKey(allowedX, cols, r));
  const minority: Float64Array[] = [];
  for (let r = 0; r < allowedY.length; r++) {
    if (allowedY[r] === 1) minority.push(allowedX.subarray(r * cols, (r + 1) * cols));
  }
  let outside = 0;
  for (let r = 0; r < trainRows; r++) {
    if (originals.has(rowKey(trainX, cols, r))) continue;
    const p = trainX.subarray(r * cols, (r + 1) * cols);
    const between = minority.some((a, i) => minority.some((b, j) => i !== j && onSegment(p, a, b)));
    if (!between) outside++;
  }
  return outside;
}

describe('stratifiedKFold', () => {
  const y = Uint8Array.from({ length: 103 }, (_, i) => (i % 3 === 0 ? 1 : 0));

  it('puts every row in exactly one fold, folds disjoint and covering, each class spread evenly', () => {
    const k = 4;
    const fold = stratifiedKFold(y, k, 1);
    expect(fold).toHaveLength(y.length);
    const members = Array.from({ length: k }, (_, f) => [...fold.keys()].filter((i) => fold[i] === f));
    const all = members.flat().sort((a, b) => a - b);
    expect(all).toEqual([...y.keys()]); // covering, and no row twice (disjoint)
    const positives = y.reduce((n, v) => n + v, 0);
    for (const m of members) {
      const pos = m.filter((i) => y[i] === 1).length;
      expect(pos === Math.floor(positives / k) || pos === Math.ceil(positives / k)).toBe(true);
      const neg = m.length - pos;
      const negatives = y.length - positives;
      expect(neg === Math.floor(negatives / k) || neg === Math.ceil(negatives / k)).toBe(true);
    }
  });

  it('is deterministic from the seed and changes with it', () => {
    expect(stratifiedKFold(y, 3, 5)).toEqual(stratifiedKFold(y, 3, 5));
    expect(stratifiedKFold(y, 3, 5)).not.toEqual(stratifiedKFold(y, 3, 6));
  });

  it('refuses fewer rows of a class than folds', () => {
    expect(() => stratifiedKFold(Uint8Array.from([1, 1, 0, 0, 0]), 3, 1)).toThrow(/class 1 has 2 rows/);
  });
});

describe('sampling', () => {
  it('draws within the spaces, reproducibly from the seed', () => {
    const xgb = CONFIG.candidates[0]!;
    const a = sampleTrials(xgb, 20, 7, 0);
    expect(sampleTrials(xgb, 20, 7, 0)).toEqual(a);
    expect(sampleTrials(xgb, 20, 8, 0)).not.toEqual(a);
    for (const p of a) {
      expect(Number.isInteger(p.rounds) && (p.rounds as number) >= 5 && (p.rounds as number) <= 20).toBe(
        true,
      );
      expect((p.eta as number) >= 0.1 && (p.eta as number) <= 0.5).toBe(true);
    }
  });

  it("maps the forest's featureFraction to maxFeatures and sets the seed", () => {
    expect(engineParams('random-forest', { trees: 10, featureFraction: 0.25 }, 30, 3)).toEqual({
      trees: 10,
      maxFeatures: 8,
      seed: 3,
    });
    expect(engineParams('random-forest', { featureFraction: 0.01 }, 30, 3).maxFeatures).toBe(1);
  });
});

describe('selection', () => {
  const trial = (candidate: string, trialIndex: number, mean: number, std: number): TrialResult => ({
    candidate,
    engine: candidate === 'xgboost' ? 'xgboost' : 'random-forest',
    trialIndex,
    params: {},
    cvScores: [mean],
    mean,
    std,
    durationMs: 1,
  });

  it('picks the best mean, then the smaller spread', () => {
    const order = ['xgboost', 'random-forest'];
    const trials = [
      trial('xgboost', 0, 0.9, 0.01),
      trial('random-forest', 0, 0.95, 0.05),
      trial('random-forest', 1, 0.95, 0.02),
      trial('xgboost', 1, 0.94, 0.0),
    ];
    const sorted = [...trials].sort(compareTrials(order));
    expect(sorted[0]).toMatchObject({ candidate: 'random-forest', trialIndex: 1 });
    expect(sorted.map((t) => t.mean)).toEqual([0.95, 0.95, 0.94, 0.9]);
  });
});

describe('randomSearch', () => {
  const data = synthetic(600, 11);

  it('scores every trial on k folds, records each, chooses the best mean, deterministically', async () => {
    const seen: TrialResult[] = [];
    const result = await randomSearch({
      ...data,
      config: CONFIG,
      run: inThread,
      onTrial: (t) => void seen.push(t),
    });
    expect(result.trials).toHaveLength(6);
    expect(seen).toHaveLength(6);
    for (const t of result.trials) {
      expect(t.cvScores).toHaveLength(3);
      expect(t.mean).toBeCloseTo(t.cvScores.reduce((a, b) => a + b, 0) / 3, 12);
    }
    const bestMean = Math.max(...result.trials.map((t) => t.mean));
    expect(result.best.mean).toBe(bestMean);
    expect(result.best.mean).toBeGreaterThan(0.8);
    expect(result.leaderboard.map((c) => c.candidate).sort()).toEqual(['random-forest', 'xgboost']);
    expect(result.leaderboard[0]!.cvMean).toBe(bestMean);

    const again = await randomSearch({ ...data, config: CONFIG, run: inThread });
    expect(again.trials.map((t) => [t.candidate, t.params, t.cvScores])).toEqual(
      result.trials.map((t) => [t.candidate, t.params, t.cvScores]),
    );
    expect(again.best).toMatchObject({
      candidate: result.best.candidate,
      trialIndex: result.best.trialIndex,
    });
  });

  it('never trains on rows outside the matrix it is given (train only) and refits on all of it', async () => {
    const calls: number[] = [];
    await randomSearch({
      ...data,
      config: { ...CONFIG, trialsPerCandidate: 1 },
      run: (job) => {
        calls.push(job.rows + (job.evaluate?.rows ?? 0));
        return runTrainJob(job);
      },
    });
    // every fold job splits exactly the given rows between fitting and validation
    expect(calls.every((n) => n === data.rows)).toBe(true);
    const { model } = await refit(inThread, { engine: 'random-forest', params: { trees: 5 } }, data, 1);
    expect(model.length).toBeGreaterThan(0);
  });
});

describe('in-fold resampling', () => {
  const data = imbalanced(360, 21);
  const { X, y, rows, cols } = data;
  const k = 3;
  const foldOf = stratifiedKFold(y, k, 7);
  const settings: FoldResampling = { k: 5, seed: 3, run: resampleInThread };
  const positives = y.reduce((n, v) => n + v, 0);

  it('the data is imbalanced', () => {
    expect(positives / rows).toBeGreaterThan(0.15);
    expect(positives / rows).toBeLessThan(0.35);
  });

  it("rebalances each fold's training rows only: every new row lies between two of that fold's training positives", async () => {
    const { folds, reports } = await rebalanceFolds(buildFolds(X, y, rows, cols, foldOf, k), cols, settings);
    for (let f = 0; f < k; f++) {
      const fold = folds[f]!;
      const trainIdx = [...foldOf.keys()].filter((i) => foldOf[i] !== f);
      const validIdx = [...foldOf.keys()].filter((i) => foldOf[i] === f);
      const fitX = takeMatrixRows(X, cols, trainIdx);
      const fitY = takeLabels(y, trainIdx);
      expect(rowsFromElsewhere(fold.trainX, fold.trainRows, fitX, fitY, cols)).toBe(0);
      // No validation row is in the rebalanced training part (continuous data: no duplicates across).
      const trainKeys = new Set(
        Array.from({ length: fold.trainRows }, (_, r) => rowKey(fold.trainX, cols, r)),
      );
      for (const i of validIdx) expect(trainKeys.has(rowKey(X, cols, i))).toBe(false);
      // The validation part is exactly the fold's original rows and labels, never resampled.
      expect(fold.validRows).toBe(validIdx.length);
      expect(Array.from(fold.validX)).toEqual(Array.from(takeMatrixRows(X, cols, validIdx)));
      expect(Array.from(fold.validY)).toEqual(Array.from(takeLabels(y, validIdx)));
      // The training part is now (nearly) balanced, and bigger: SMOTE added rows, Tomek removed a few.
      const pos = fold.trainY.reduce((n, v) => n + v, 0);
      expect(Math.abs(pos / fold.trainRows - 0.5)).toBeLessThan(0.05);
      expect(fold.trainX.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(reports[f]).toMatchObject({
        trainRowsBefore: trainIdx.length,
        trainRowsAfter: fold.trainRows,
        validRows: validIdx.length,
      });
      expect(reports[f]!.synthetic).toBeGreaterThan(50);
      // The same rows as SMOTE-Tomek of exactly those training rows.
      const direct = smoteTomek(fitX, fitY, { cols, k: 5, seed: 3 });
      expect(Array.from(fold.trainX)).toEqual(Array.from(direct.X));
      expect(Array.from(fold.trainY)).toEqual(Array.from(direct.y));
    }
  });

  it('the same check flags the old way (rebalance all of train, then split): synthetic rows built from validation rows', () => {
    const balanced = smoteTomek(X, y, { cols, k: 5, seed: 3 });
    const leakyFolds = buildFolds(
      balanced.X,
      balanced.y,
      balanced.rows,
      cols,
      stratifiedKFold(balanced.y, k, 7),
      k,
    );
    // A fold's training part may only draw on the originals that are not in its validation part.
    let outside = 0;
    for (const fold of leakyFolds) {
      const valid = new Set(Array.from({ length: fold.validRows }, (_, r) => rowKey(fold.validX, cols, r)));
      const allowed = [...y.keys()].filter((i) => !valid.has(rowKey(X, cols, i)));
      outside += rowsFromElsewhere(
        fold.trainX,
        fold.trainRows,
        takeMatrixRows(X, cols, allowed),
        takeLabels(y, allowed),
        cols,
      );
    }
    expect(outside).toBeGreaterThan(20);
  });

  it('resamples each fold once for the whole search, validates on unbalanced rows, deterministically', async () => {
    let resamples = 0;
    const validRows: number[] = [];
    const input = {
      ...data,
      config: CONFIG,
      resampleFolds: {
        ...settings,
        run: (job: ResampleJob) => {
          resamples++;
          expect(job.X.buffer).toBeInstanceOf(SharedArrayBuffer);
          return resampleInThread(job);
        },
      },
    };
    const result = await randomSearch({
      ...input,
      run: (job) => {
        validRows.push(job.evaluate!.rows);
        return runTrainJob(job);
      },
    });
    expect(resamples).toBe(k); // once per fold, not per trial (6 trials × 3 folds here)
    expect(validRows).toHaveLength(6 * k);
    // Each trial validates on the unbalanced folds: together exactly the input rows.
    for (let t = 0; t < 6; t++) {
      expect(validRows.slice(t * k, t * k + k).reduce((a, b) => a + b, 0)).toBe(rows);
    }
    expect(result.resampling?.folds).toHaveLength(k);
    expect(result.resampling!.folds.every((r) => r.trainRowsAfter > r.trainRowsBefore)).toBe(true);
    expect(result.best.mean).toBeGreaterThan(0.6);

    const again = await randomSearch({ ...input, run: inThread });
    expect(again.trials.map((t) => t.cvScores)).toEqual(result.trials.map((t) => t.cvScores));
  });

  it('without resampleFolds, the folds are used as given', async () => {
    const result = await randomSearch({
      ...data,
      config: { ...CONFIG, trialsPerCandidate: 1 },
      run: inThread,
    });
    expect(result.resampling).toBeUndefined();
  });
});

describe('candidates file', () => {
  it('the shipped file is valid and searches xgboost and a random forest', () => {
    const config = loadCandidatesConfig(DEFAULT_CANDIDATES_PATH);
    expect(config.metric).toBe('f1');
    expect(config.folds).toBe(3);
    expect(config.candidates.map((c) => c.engine)).toEqual(['xgboost', 'random-forest']);
    expect(Object.keys(config.candidates[0]!.search).sort()).toEqual(
      ['colsampleByTree', 'eta', 'maxDepth', 'minChildWeight', 'rounds', 'subsample'].sort(),
    );
    expect(loadCandidatesConfig(DEFAULT_CANDIDATES_PATH, { trialsPerCandidate: 2 }).trialsPerCandidate).toBe(
      2,
    );
  });

  it('names every problem at once', () => {
    expect(() =>
      parseCandidatesConfig(`
metric: auc
candidates:
  - name: xgboost
    search:
      depth: { int: [1, 3] }
      eta: { float: [0, 1], log: true }
  - name: svm
    engine: svm
`),
    ).toThrow(/metric[\s\S]*'depth' is not a xgboost parameter[\s\S]*log scale[\s\S]*engine: expected/);
  });
});
