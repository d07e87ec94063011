import {
  refit,
  runResampleJob,
  runTrainJob,
  type FoldResampling,
  type ResampleJob,
  type TrainJob,
} from '@netsentry/ml';
import { lineTask } from '@netsentry/ml/testing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CANDIDATES_PATH, loadCandidatesConfig, parseCandidatesConfig } from './candidates';
import {
  compareTrials,
  halvingSchedule,
  randomSearch,
  sampleTrials,
  type HalvingConfig,
  type SearchConfig,
  type TrialResult,
} from './search';

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

const synthetic = (rows: number, seed: number) => lineTask(rows, seed);
const imbalanced = (rows: number, seed: number) => lineTask(rows, seed, { threshold: 1.3, flip: 0.03 });

const inThread = (job: TrainJob) => runTrainJob(job);
const resampleInThread = (job: ResampleJob) => Promise.resolve(runResampleJob(job));

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

  it('reports each rung of each candidate as its trials are scored there', async () => {
    const seen = new Map<string, { done: number[]; total: number }>();
    await randomSearch({
      ...data,
      config: HALVING,
      run: inThread,
      onScored: (p) => {
        const key = `${p.candidate} ${p.rung}/${p.rungs}`;
        const entry = seen.get(key) ?? { done: [], total: p.total };
        entry.done.push(p.done);
        expect(p.total).toBe(entry.total);
        seen.set(key, entry);
      },
    });
    const schedule = halvingSchedule(9, Math.floor((data.rows * 2) / 3), H);
    expect(schedule.length).toBeGreaterThan(1);
    for (const candidate of ['xgboost', 'random-forest']) {
      for (const rung of schedule) {
        const entry = seen.get(`${candidate} ${rung.index}/${schedule.length}`)!;
        expect(entry.total).toBe(rung.trials);
        expect(entry.done).toEqual(Array.from({ length: rung.trials }, (_, i) => i + 1));
      }
    }
    expect(seen.size).toBe(2 * schedule.length);
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

describe('search at scale', () => {
  const data = imbalanced(3_000, 12);
  const rowsOf = (job: TrainJob): number[] => [...job.select!, ...job.evaluate!.select!];

  it('cross-validates on a stratified sample of at most maxSearchRows rows, the same sample every time', async () => {
    const config = { ...CONFIG, trialsPerCandidate: 2, maxSearchRows: 1_200 };
    const seen: number[][] = [];
    const result = await randomSearch({
      ...data,
      config,
      run: (job) => {
        seen.push(rowsOf(job));
        return runTrainJob(job);
      },
    });
    // Every fold job splits the sample (not all 3,000 rows) between fitting and validation.
    const sample = new Set(seen.flat());
    expect(result.searchRows).toBe(sample.size);
    expect(sample.size).toBeLessThanOrEqual(1_201);
    expect(sample.size).toBeGreaterThanOrEqual(1_199);
    for (const rows of seen) expect(rows.length).toBe(sample.size);
    expect([...sample].every((r) => Number.isInteger(r) && r >= 0 && r < data.rows)).toBe(true);
    // Stratified: the sample's positive share is the data's (to one row).
    const share = (rows: Iterable<number>, n: number) => [...rows].filter((r) => data.y[r] === 1).length / n;
    const all = share(data.y.keys(), data.rows);
    expect(Math.abs(share(sample, sample.size) - all)).toBeLessThanOrEqual(1 / sample.size);
    // Deterministic, and a cap above the rows is no cap: the same search as without one.
    const again: number[][] = [];
    await randomSearch({
      ...data,
      config,
      run: (job) => {
        again.push(rowsOf(job));
        return runTrainJob(job);
      },
    });
    expect(again).toEqual(seen);
    const uncapped = await randomSearch({
      ...data,
      config: { ...config, maxSearchRows: undefined },
      run: inThread,
    });
    const above = await randomSearch({ ...data, config: { ...config, maxSearchRows: 5_000 }, run: inThread });
    expect(uncapped.searchRows).toBe(data.rows);
    expect(above.trials.map((t) => t.cvScores)).toEqual(uncapped.trials.map((t) => t.cvScores));
  });

  const HALVED: SearchConfig = {
    ...CONFIG,
    trialsPerCandidate: 9,
    halving: { factor: 3, minRows: 20, minValidRows: 0 },
  };

  it("once the time budget is spent, starts no lower-rung trial and sends each candidate's best to all rows", async () => {
    const jobs: TrainJob[] = [];
    const seen: TrialResult[] = [];
    // A budget of 0 s is spent before the first job: only the last rung runs, one trial per candidate.
    const result = await randomSearch({
      ...data,
      config: { ...HALVED, budgetSeconds: 0 },
      run: (job) => {
        jobs.push(job);
        return runTrainJob(job);
      },
      concurrency: 2,
      onTrial: (t) => void seen.push(t),
    });
    expect(result.budget).toEqual({ seconds: 0, exhausted: true, unscored: 2 * 8 });
    expect(result.trials).toHaveLength(2);
    expect(seen).toHaveLength(2);
    for (const t of result.trials) expect(t.rung).toMatchObject({ index: 2, of: 3, fraction: 1 });
    expect(jobs).toHaveLength(2 * 3);
    expect(result.trials.map((t) => t.candidate)).toContain(result.best.candidate);
  });

  it('a budget that is not reached changes nothing', async () => {
    const plain = await randomSearch({ ...data, config: HALVED, run: inThread });
    const budgeted = await randomSearch({
      ...data,
      config: { ...HALVED, budgetSeconds: 3_600 },
      run: inThread,
      concurrency: 1,
    });
    expect(budgeted.budget).toEqual({ seconds: 3_600, exhausted: false, unscored: 0 });
    expect(budgeted.trials.map((t) => [t.candidate, t.trialIndex, t.rung, t.cvScores])).toEqual(
      plain.trials.map((t) => [t.candidate, t.trialIndex, t.rung, t.cvScores]),
    );
    expect(budgeted.best.trialIndex).toBe(plain.best.trialIndex);
  });
});

describe('in-fold resampling', () => {
  const data = imbalanced(360, 21);
  const { rows } = data;
  const k = 3;
  const settings: FoldResampling = { k: 5, seed: 3, run: resampleInThread };
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

  it('reads the row cap and the time budget; off or an override of 0 turns them off', () => {
    const base = 'candidates:\n  - name: xgboost\n';
    const parsed = parseCandidatesConfig(`maxSearchRows: 50000\nsearchBudgetSeconds: 300\n${base}`);
    expect(parsed).toMatchObject({ maxSearchRows: 50_000, budgetSeconds: 300 });
    const off = parseCandidatesConfig(`maxSearchRows: off\nsearchBudgetSeconds: off\n${base}`);
    expect(off.maxSearchRows).toBeUndefined();
    expect(off.budgetSeconds).toBeUndefined();
    const overridden = parseCandidatesConfig(`maxSearchRows: 50000\n${base}`, 'x', {
      maxSearchRows: 0,
      searchBudgetSeconds: 60,
    });
    expect(overridden.maxSearchRows).toBeUndefined();
    expect(overridden.budgetSeconds).toBe(60);
    expect(loadCandidatesConfig(DEFAULT_CANDIDATES_PATH).maxSearchRows).toBeGreaterThanOrEqual(1_000);
    expect(() => parseCandidatesConfig(`maxSearchRows: 10\nsearchBudgetSeconds: -1\n${base}`)).toThrow(
      /maxSearchRows: expected off or an integer ≥ 1000[\s\S]*searchBudgetSeconds: expected off/,
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
