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
  halvingSchedule,
  nestedShare,
  randomSearch,
  rebalanceFolds,
  refit,
  sampleTrials,
  stratifiedKFold,
  type FoldResampling,
  type HalvingConfig,
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
    rung: { index: 0, of: 1, fraction: 1, trainRows: 1 },
    history: [{ mean, std }],
    fitParams: {},
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

describe('successive halving', () => {
  const H: HalvingConfig = { factor: 3, minRows: 50, minValidRows: 0 };

  it('schedules 1 + ⌊log_factor(trials)⌋ rungs, 1/factor of the trials kept, the last on all rows', () => {
    expect(halvingSchedule(9, 10_000, H)).toEqual([
      { index: 0, trials: 9, fraction: 1 / 9 },
      { index: 1, trials: 3, fraction: 1 / 3 },
      { index: 2, trials: 1, fraction: 1 },
    ]);
    expect(halvingSchedule(6, 10_000, H).map((r) => [r.trials, r.fraction])).toEqual([
      [6, 1 / 3],
      [2, 1],
    ]);
    // Fewer trials than the factor, or no halving: one rung, every trial on all rows.
    expect(halvingSchedule(2, 10_000, H)).toEqual([{ index: 0, trials: 2, fraction: 1 }]);
    expect(halvingSchedule(9, 10_000)).toEqual([{ index: 0, trials: 9, fraction: 1 }]);
    // The smallest rung trains on at least minRows rows: 300 / 9 < 50, so two rungs, not three.
    expect(halvingSchedule(9, 300, H).map((r) => r.fraction)).toEqual([1 / 3, 1]);
    expect(halvingSchedule(9, 100, H)).toHaveLength(1);
    expect(() => halvingSchedule(9, 100, { ...H, factor: 1 })).toThrow(RangeError);
  });

  it('respects the budget: rung i keeps ≤ trials/factor^i, and all rungs cost ≤ rungs × trials / factor^(rungs−1) fits', () => {
    for (const factor of [2, 3, 4]) {
      for (let trials = 1; trials <= 100; trials++) {
        const rungs = halvingSchedule(trials, 1_000_000, { ...H, factor });
        const R = rungs.length;
        expect(rungs.at(-1)!.fraction).toBe(1);
        expect(rungs.at(-1)!.trials).toBeGreaterThanOrEqual(1);
        expect(rungs.at(-1)!.trials).toBeLessThan(factor);
        rungs.forEach((r, i) => {
          expect(r.trials).toBeLessThanOrEqual(trials / factor ** i);
          if (i > 0) expect(r.fraction).toBeCloseTo(rungs[i - 1]!.fraction * factor, 12);
        });
        const fits = rungs.reduce((a, r) => a + r.trials * r.fraction, 0);
        expect(fits).toBeLessThanOrEqual((R * trials) / factor ** (R - 1) + 1e-9);
      }
    }
  });

  it('shares rows nested and stratified: a larger share is a superset with the same class balance', () => {
    const y = synthetic(900, 5).y;
    const rows = Int32Array.from({ length: 900 }, (_, i) => i).filter((i) => i % 3 !== 0);
    const positives = (a: Int32Array) => a.reduce((n, r) => n + y[r]!, 0);
    const ninth = nestedShare(rows, y, 1 / 9, 3);
    const third = nestedShare(rows, y, 1 / 3, 3);
    expect(nestedShare(rows, y, 1 / 9, 3)).toEqual(ninth);
    expect(nestedShare(rows, y, 1 / 9, 4)).not.toEqual(ninth);
    expect([...ninth].every((r) => third.includes(r))).toBe(true);
    expect([...third].every((r) => rows.includes(r))).toBe(true);
    expect(third.length).toBeGreaterThanOrEqual(rows.length / 3);
    expect(third.length).toBeLessThanOrEqual(rows.length / 3 + 2);
    expect(Math.abs(positives(third) / third.length - positives(rows) / rows.length)).toBeLessThan(0.01);
    expect([...third]).toEqual([...third].sort((a, b) => a - b));
    expect(nestedShare(rows, y, 1, 3)).toBe(rows);
  });

  const data = synthetic(900, 13);
  const HALVING: SearchConfig = { ...CONFIG, trialsPerCandidate: 9, halving: H };

  it('promotes the best of every rung, scores the winner on all rows, deterministically for a seed', async () => {
    const jobs: { engine: string; rows: number; valid: number }[] = [];
    const result = await randomSearch({
      ...data,
      config: HALVING,
      run: (job) => {
        jobs.push({ engine: job.engine, rows: job.rows, valid: job.evaluate!.rows });
        return runTrainJob(job);
      },
    });
    expect(result.trials).toHaveLength(18);
    const order = HALVING.candidates.map((c) => c.name);
    for (const candidate of order) {
      const trials = result.trials.filter((t) => t.candidate === candidate);
      // 9 trials on a ninth of the rows, 3 on a third, 1 on all of them.
      expect(trials.map((t) => t.rung.index).sort()).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 2]);
      for (const t of trials) {
        expect(t.rung.of).toBe(3);
        expect(t.history).toHaveLength(t.rung.index + 1);
        expect(t.history.at(-1)).toEqual({ mean: t.mean, std: t.std });
      }
      // At each rung, the trials promoted are the best there (by the search's own order).
      for (const rung of [0, 1]) {
        const ran = trials.filter((t) => t.history.length > rung);
        const atRung = ran.map((t) => ({ ...t, mean: t.history[rung]!.mean, std: t.history[rung]!.std }));
        const ranked = atRung.sort(compareTrials(order)).map((t) => t.trialIndex);
        const promoted = ran.filter((t) => t.history.length > rung + 1).map((t) => t.trialIndex);
        expect(ranked.slice(0, promoted.length).sort()).toEqual(promoted.sort());
      }
    }
    // The budget: 9 + 3 + 1 trials × 3 folds per candidate; each rung's folds hold its share of the rows.
    expect(jobs).toHaveLength(2 * 13 * 3);
    const foldTrain = (2 / 3) * data.rows;
    const share = (n: number) => Math.round((n / foldTrain) * 9) / 9;
    expect([...new Set(jobs.map((j) => share(j.rows)))].sort()).toEqual(
      [1 / 9, 1 / 3, 1].map((f) => Math.round(f * 9) / 9).sort(),
    );
    // (stratified folds of 900 rows hold 600 ± 1 training rows)
    expect(jobs.filter((j) => Math.abs(j.rows - foldTrain) <= 1)).toHaveLength(2 * 3);
    expect(jobs.filter((j) => Math.abs(j.rows - foldTrain / 3) <= 2)).toHaveLength(2 * 3 * 3);
    expect(jobs.filter((j) => Math.abs(j.rows - foldTrain / 9) <= 2)).toHaveLength(2 * 9 * 3);
    // Selection compares only trials scored on all rows.
    expect(result.best.rung).toMatchObject({ index: 2, of: 3, fraction: 1, trainRows: 2 * data.rows });
    const full = result.trials.filter((t) => t.rung.fraction === 1);
    expect(result.best.mean).toBe(Math.max(...full.map((t) => t.mean)));
    expect(result.leaderboard.map((c) => c.cvMean).sort()).toEqual(full.map((t) => t.mean).sort());

    const again = await randomSearch({ ...data, config: HALVING, run: inThread });
    expect(again.trials.map((t) => [t.candidate, t.trialIndex, t.rung, t.cvScores])).toEqual(
      result.trials.map((t) => [t.candidate, t.trialIndex, t.rung, t.cvScores]),
    );
    expect(again.best).toMatchObject({
      candidate: result.best.candidate,
      trialIndex: result.best.trialIndex,
    });
    const otherSeed = await randomSearch({ ...data, config: { ...HALVING, seed: 8 }, run: inThread });
    expect(otherSeed.trials.map((t) => t.cvScores)).not.toEqual(result.trials.map((t) => t.cvScores));
  });

  it('validates a reduced rung on at least minValidRows rows of each fold', async () => {
    const valid: number[] = [];
    await randomSearch({
      ...data,
      config: { ...HALVING, candidates: [CONFIG.candidates[1]!], halving: { ...H, minValidRows: 200 } },
      run: (job) => {
        valid.push(job.evaluate!.rows);
        return runTrainJob(job);
      },
    });
    // Validation parts hold 300 rows; a ninth would be 34, a third 100: both raised to 200.
    expect(Math.min(...valid)).toBeGreaterThanOrEqual(200);
    expect(valid.filter((v) => Math.abs(v - 300) <= 1)).toHaveLength(3);
    expect(valid.filter((v) => Math.abs(v - 200) <= 2)).toHaveLength(9 * 3 + 3 * 3);
  });

  it("stops XGBoost early on large enough folds and refits the mean of the folds' rounds", async () => {
    const xgb: SearchConfig = {
      ...CONFIG,
      trialsPerCandidate: 1,
      candidates: [
        {
          ...CONFIG.candidates[0]!,
          fixed: { rounds: 200, eta: 0.5, maxDepth: 6 },
          search: {},
          earlyStopping: { patience: 10, every: 5, maxRows: 1_000, minTrainRows: 100 },
        },
      ],
    };
    const result = await randomSearch({ ...data, config: xgb, run: inThread });
    const rounds = result.best.foldRounds!;
    expect(rounds).toHaveLength(3);
    expect(Math.max(...rounds)).toBeLessThan(200);
    expect(result.best.fitParams.rounds).toBe(Math.round(rounds.reduce((a, b) => a + b, 0) / 3));
    expect(result.best.params.rounds).toBe(200);
    // Below minTrainRows the folds train every round.
    const small = await randomSearch({
      ...data,
      config: {
        ...xgb,
        candidates: [
          {
            ...xgb.candidates[0]!,
            earlyStopping: { ...xgb.candidates[0]!.earlyStopping!, minTrainRows: 10_000 },
          },
        ],
      },
      run: inThread,
    });
    expect(small.best.foldRounds).toBeUndefined();
    expect(small.best.fitParams).toEqual(small.best.params);
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
    expect(config.halving?.factor).toBe(3);
    expect(config.candidates[0]!.earlyStopping?.patience).toBeGreaterThan(0);
    expect(loadCandidatesConfig(DEFAULT_CANDIDATES_PATH, { halving: false }).halving).toBeUndefined();
    expect(loadCandidatesConfig(DEFAULT_CANDIDATES_PATH, { halving: { factor: 2 } }).halving).toMatchObject({
      factor: 2,
      minRows: config.halving!.minRows,
    });
  });

  it('reads halving and early stopping, and rejects them where they do not apply', () => {
    const base = `
candidates:
  - name: xgboost
    earlyStopping: { patience: 5 }
`;
    const parsed = parseCandidatesConfig(`halving: { factor: 4 }\n${base}`);
    expect(parsed.halving).toEqual({ factor: 4, minRows: 500, minValidRows: 1_000 });
    expect(parsed.candidates[0]!.earlyStopping).toEqual({
      patience: 5,
      every: 10,
      maxRows: 2_000,
      minTrainRows: 20_000,
    });
    expect(parseCandidatesConfig(`halving: off\n${base}`).halving).toBeUndefined();
    expect(parseCandidatesConfig(base).halving).toBeUndefined();
    expect(() =>
      parseCandidatesConfig(`
halving: { factor: 1, rungs: 3 }
candidates:
  - name: random-forest
    earlyStopping: { patience: 5 }
`),
    ).toThrow(
      /only the xgboost engine stops early[\s\S]*halving.rungs: unknown[\s\S]*halving.factor: expected an integer ≥ 2/,
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
