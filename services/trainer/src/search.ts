import {
  binaryMetrics,
  seededRandom,
  toShared,
  trainForestInPool,
  WorkerPool,
  type EngineKind,
  type Random,
  type ResampleJob,
  type ResampleJobResult,
  type TrainJob,
  type TrainJobResult,
} from '@netsentry/ml';

/** A hyperparameter's search space. */
export type ParamSpec =
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly log: boolean }
  | { readonly kind: 'float'; readonly min: number; readonly max: number; readonly log: boolean }
  | { readonly kind: 'choice'; readonly values: readonly ParamValue[] };

export type ParamValue = number | string | boolean;
export type ParamSet = Readonly<Record<string, ParamValue>>;

export const METRICS = ['f1', 'precision', 'recall', 'accuracy', 'rocAuc', 'prAuc'] as const;
export type MetricName = (typeof METRICS)[number];

export interface CandidateSpec {
  readonly name: string;
  readonly engine: EngineKind;
  readonly fixed: ParamSet;
  readonly search: Readonly<Record<string, ParamSpec>>;
  /** Overrides the config's trialsPerCandidate for this candidate. */
  readonly trials?: number;
}

export interface SearchConfig {
  readonly metric: MetricName;
  readonly folds: number;
  readonly seed: number;
  readonly trialsPerCandidate: number;
  readonly candidates: readonly CandidateSpec[];
}

/** Runs one training job: a WorkerPool's `run`, or `runTrainJob` in this thread (tests). */
export type JobRunner = (job: TrainJob) => Promise<TrainJobResult>;

/** Rebalances one matrix: a WorkerPool's `resample`, or `runResampleJob` in this thread (tests). */
export type ResampleRunner = (job: ResampleJob) => Promise<ResampleJobResult>;

/** How to rebalance each fold's training part: SMOTE-Tomek with transform's settings. */
export interface FoldResampling {
  /** SMOTE's nearest neighbours. */
  readonly k: number;
  readonly seed: number;
  readonly run: ResampleRunner;
}

export interface TrialResult {
  readonly candidate: string;
  readonly engine: EngineKind;
  /** Position in the candidate's search, 0-based. */
  readonly trialIndex: number;
  /** The trial's parameters as the search space names them (fixed ones included). */
  readonly params: ParamSet;
  /** One score per fold, fold order. */
  readonly cvScores: readonly number[];
  readonly mean: number;
  /** Population standard deviation over the folds. */
  readonly std: number;
  /** Training time summed over the folds (worker time, not queue time). */
  readonly durationMs: number;
}

export interface CandidateSummary {
  readonly candidate: string;
  readonly cvMean: number;
  readonly cvStd: number;
  /** Wall time of the candidate's search (its trials run concurrently on the pool). */
  readonly trainSeconds: number;
}

/** One fold's rebalancing: its training part before and after, its validation part (never resampled). */
export interface FoldResamplingReport {
  readonly trainRowsBefore: number;
  readonly trainRowsAfter: number;
  readonly synthetic: number;
  readonly tomekRemoved: number;
  readonly validRows: number;
  /** Worker time of the fold's resampling. */
  readonly ms: number;
}

export interface SearchResult {
  readonly trials: readonly TrialResult[];
  readonly best: TrialResult;
  /** Best trial of every candidate, best first. */
  readonly leaderboard: readonly CandidateSummary[];
  /** Present when the folds were rebalanced in-fold (`SearchInput.resampleFolds`). */
  readonly resampling?: {
    readonly folds: readonly FoldResamplingReport[];
    /** Wall time of rebalancing every fold (the folds run concurrently on the pool). */
    readonly seconds: number;
  };
}

/** Draws one value of a parameter; log scales need min > 0. */
export function sampleValue(spec: ParamSpec, rnd: Random): ParamValue {
  switch (spec.kind) {
    case 'choice':
      return spec.values[rnd.int(spec.values.length)]!;
    case 'int': {
      if (spec.log) {
        const v = Math.exp(Math.log(spec.min) + rnd.next() * (Math.log(spec.max + 1) - Math.log(spec.min)));
        return Math.min(spec.max, Math.max(spec.min, Math.floor(v)));
      }
      return spec.min + rnd.int(spec.max - spec.min + 1);
    }
    case 'float': {
      const u = rnd.next();
      const v = spec.log
        ? Math.exp(Math.log(spec.min) + u * (Math.log(spec.max) - Math.log(spec.min)))
        : spec.min + u * (spec.max - spec.min);
      // Six significant digits: readable in the registry and exact through string round trips.
      return Number(v.toPrecision(6));
    }
  }
}

/** Parameter names in a stable order, so sampling does not depend on how the config lists them. */
const sortedKeys = (o: object): string[] => Object.keys(o).sort();

/** The candidate's trials' parameter sets, reproducible from (seed, candidate position). */
export function sampleTrials(
  candidate: CandidateSpec,
  count: number,
  seed: number,
  position: number,
): ParamSet[] {
  const rnd = seededRandom((seed ^ Math.imul(position + 1, 0x9e3779b1)) | 0);
  const out: ParamSet[] = [];
  for (let t = 0; t < count; t++) {
    const params: Record<string, ParamValue> = { ...candidate.fixed };
    for (const key of sortedKeys(candidate.search)) params[key] = sampleValue(candidate.search[key]!, rnd);
    out.push(params);
  }
  return out;
}

/**
 * Turns a trial's parameters into the engine's: the random forest's `featureFraction` becomes
 * `maxFeatures` (at least 1), and the seed is set.
 */
export function engineParams(
  engine: EngineKind,
  params: ParamSet,
  cols: number,
  seed: number,
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = { ...params, seed };
  if (engine === 'random-forest' && typeof out.featureFraction === 'number') {
    out.maxFeatures = Math.max(1, Math.min(cols, Math.round(out.featureFraction * cols)));
    delete out.featureFraction;
  }
  return out;
}

/**
 * Stratified k-fold assignment: each class is shuffled with the seed and dealt round-robin over the folds,
 * so every fold gets ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of class c. Returns the fold (0..k-1) of each row.
 */
export function stratifiedKFold(y: Uint8Array, k: number, seed: number): Uint8Array {
  if (!Number.isInteger(k) || k < 2 || k > 255)
    throw new RangeError(`folds must be an integer in 2..255, got ${k}`);
  const rnd = seededRandom(seed);
  const fold = new Uint8Array(y.length);
  for (const cls of [0, 1]) {
    const members: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === cls) members.push(i);
    if (members.length < k) {
      throw new RangeError(`class ${cls} has ${members.length} rows, fewer than the ${k} folds`);
    }
    rnd.shuffle(members);
    members.forEach((row, j) => (fold[row] = j % k));
  }
  return fold;
}

export interface Fold {
  readonly trainX: Float64Array;
  readonly trainY: Uint8Array;
  readonly trainRows: number;
  readonly validX: Float64Array;
  readonly validY: Uint8Array;
  readonly validRows: number;
}

/** The k (train, validation) matrices, on SharedArrayBuffers so pool workers read them without copies. */
export function buildFolds(
  X: Float64Array,
  y: Uint8Array,
  rows: number,
  cols: number,
  foldOf: Uint8Array,
  k: number,
): Fold[] {
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    let validRows = 0;
    for (let i = 0; i < rows; i++) if (foldOf[i] === f) validRows++;
    const trainRows = rows - validRows;
    const trainX = toShared(new Float64Array(trainRows * cols));
    const trainY = toShared(new Uint8Array(trainRows));
    const validX = toShared(new Float64Array(validRows * cols));
    const validY = new Uint8Array(validRows);
    let t = 0;
    let v = 0;
    for (let i = 0; i < rows; i++) {
      const row = X.subarray(i * cols, (i + 1) * cols);
      if (foldOf[i] === f) {
        validX.set(row, v * cols);
        validY[v++] = y[i]!;
      } else {
        trainX.set(row, t * cols);
        trainY[t++] = y[i]!;
      }
    }
    folds.push({ trainX, trainY, trainRows, validX, validY, validRows });
  }
  return folds;
}

/**
 * Rebalances every fold's training part with SMOTE-Tomek, once (all trials of all candidates reuse it), the
 * folds concurrently on the runner. Only the fold's own training rows go in, so no synthetic row is built
 * from a validation row; the validation part is returned as it was, the original rows and labels. The
 * rebalanced matrices are put on SharedArrayBuffers, like buildFolds', for the trial jobs to share.
 */
export async function rebalanceFolds(
  folds: readonly Fold[],
  cols: number,
  settings: FoldResampling,
  signal?: AbortSignal,
): Promise<{ folds: Fold[]; reports: FoldResamplingReport[] }> {
  const results = await Promise.all(
    folds.map((fold) => {
      signal?.throwIfAborted();
      return settings.run({
        method: 'smote-tomek',
        X: fold.trainX,
        y: fold.trainY,
        cols,
        k: settings.k,
        seed: settings.seed,
      });
    }),
  );
  return {
    folds: folds.map((fold, f) => {
      const r = results[f]!;
      return { ...fold, trainX: toShared(r.X), trainY: toShared(r.y), trainRows: r.rows };
    }),
    reports: folds.map((fold, f) => {
      const r = results[f]!;
      return {
        trainRowsBefore: fold.trainRows,
        trainRowsAfter: r.rows,
        synthetic: r.report.synthetic,
        tomekRemoved: r.report.tomekRemoved,
        validRows: fold.validRows,
        ms: Math.round(r.resampleMs),
      };
    }),
  };
}

export function metricOf(metric: MetricName, y: Uint8Array, proba: Float64Array): number {
  const m = binaryMetrics(y, proba, 0.5);
  const v = m[metric];
  return Number.isFinite(v) ? v : 0;
}

const meanOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const stdOf = (xs: readonly number[]): number => {
  const m = meanOf(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

/** Best first: higher mean, then lower std, then earlier candidate, then earlier trial. */
export function compareTrials(order: readonly string[]): (a: TrialResult, b: TrialResult) => number {
  return (a, b) =>
    b.mean - a.mean ||
    a.std - b.std ||
    order.indexOf(a.candidate) - order.indexOf(b.candidate) ||
    a.trialIndex - b.trialIndex;
}

export interface SearchInput {
  readonly X: Float64Array;
  readonly y: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  readonly config: SearchConfig;
  readonly run: JobRunner;
  /**
   * Rebalance each fold's training part (never its validation part) before the trials. X and y are then
   * the unbalanced training matrix: resampling it before splitting would let a fold's synthetic rows be
   * interpolated from another fold's validation rows. Without it the folds are used as they are.
   */
  readonly resampleFolds?: FoldResampling;
  /** Called as each trial completes (record it, log progress); awaited before the search ends. */
  readonly onTrial?: (trial: TrialResult, done: number, total: number) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

/**
 * Random search with stratified k-fold CV over the training rows only (rebalanced inside each fold when
 * `resampleFolds` is given). Candidates run one after another; within a candidate every fold of every trial
 * is submitted at once, so the pool keeps all its workers busy. Results depend only on the data, the config
 * and its seed (and the resampling settings).
 */
export async function randomSearch(input: SearchInput): Promise<SearchResult> {
  const { X, y, rows, cols, config, run } = input;
  if (config.candidates.length === 0) throw new RangeError('no candidates to train');
  const foldOf = stratifiedKFold(y, config.folds, config.seed);
  let folds = buildFolds(X, y, rows, cols, foldOf, config.folds);
  let resampling: SearchResult['resampling'];
  if (input.resampleFolds) {
    const started = performance.now();
    const rebalanced = await rebalanceFolds(folds, cols, input.resampleFolds, input.signal);
    folds = rebalanced.folds;
    resampling = { folds: rebalanced.reports, seconds: (performance.now() - started) / 1000 };
  }
  const total = config.candidates.reduce((n, c) => n + (c.trials ?? config.trialsPerCandidate), 0);
  const trials: TrialResult[] = [];
  const leaderboard: CandidateSummary[] = [];
  const order = config.candidates.map((c) => c.name);
  const pending: Promise<void>[] = [];
  let failure: Error | undefined;
  let done = 0;

  for (const [position, candidate] of config.candidates.entries()) {
    const started = performance.now();
    const sets = sampleTrials(
      candidate,
      candidate.trials ?? config.trialsPerCandidate,
      config.seed,
      position,
    );
    const results = await Promise.all(
      sets.map(async (params, trialIndex): Promise<TrialResult> => {
        const ep = engineParams(candidate.engine, params, cols, config.seed);
        const outcomes = await Promise.all(
          folds.map((fold) => {
            input.signal?.throwIfAborted();
            return run({
              engine: candidate.engine,
              X: fold.trainX,
              y: fold.trainY,
              rows: fold.trainRows,
              cols,
              params: ep,
              evaluate: { X: fold.validX, rows: fold.validRows },
            });
          }),
        );
        const cvScores = outcomes.map((o, f) => metricOf(config.metric, folds[f]!.validY, o.proba!));
        const trial: TrialResult = {
          candidate: candidate.name,
          engine: candidate.engine,
          trialIndex,
          params,
          cvScores,
          mean: meanOf(cvScores),
          std: stdOf(cvScores),
          durationMs: Math.round(outcomes.reduce((a, o) => a + o.trainMs, 0)),
        };
        done++;
        if (input.onTrial) {
          // Settled here so a failing callback cannot surface as an unhandled rejection; rethrown below.
          const settled = Promise.resolve()
            .then(() => input.onTrial!(trial, done, total))
            .then(
              () => undefined,
              (e: unknown) => (failure ??= e instanceof Error ? e : new Error(String(e))),
            );
          pending.push(settled.then(() => undefined));
        }
        return trial;
      }),
    );
    trials.push(...results);
    const best = [...results].sort(compareTrials(order))[0]!;
    leaderboard.push({
      candidate: candidate.name,
      cvMean: best.mean,
      cvStd: best.std,
      trainSeconds: (performance.now() - started) / 1000,
    });
  }
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  const best = [...trials].sort(compareTrials(order))[0]!;
  leaderboard.sort((a, b) => b.cvMean - a.cvMean || a.cvStd - b.cvStd);
  return { trials, best, leaderboard, ...(resampling ? { resampling } : {}) };
}

/**
 * Fits the chosen configuration on the whole training matrix. On a WorkerPool a random forest grows its
 * trees across every worker (`trainForestInPool`); anything else is one job.
 */
export async function refit(
  runner: WorkerPool | JobRunner,
  trial: Pick<TrialResult, 'engine' | 'params'>,
  data: { X: Float64Array; y: Uint8Array; rows: number; cols: number },
  seed: number,
): Promise<{ model: Uint8Array; trainMs: number }> {
  const ep = engineParams(trial.engine, trial.params, data.cols, seed);
  const X = toShared(data.X);
  const y = toShared(data.y);
  const started = performance.now();
  if (runner instanceof WorkerPool && trial.engine === 'random-forest') {
    const model = await trainForestInPool(runner, X, y, data.rows, data.cols, ep);
    try {
      return { model: model.toBytes(), trainMs: performance.now() - started };
    } finally {
      model.free();
    }
  }
  const job = { engine: trial.engine, X, y, rows: data.rows, cols: data.cols, params: ep } as TrainJob;
  const result = runner instanceof WorkerPool ? await runner.run(job) : await runner(job);
  return { model: result.model, trainMs: performance.now() - started };
}
