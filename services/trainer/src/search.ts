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

/** XGBoost's early stopping on each fold's validation part (`TrainJob.earlyStopping`). */
export interface EarlyStoppingSpec {
  /** Rounds without a lower validation log loss before boosting stops. */
  readonly patience: number;
  /** Rounds between two checks. */
  readonly every: number;
  /** Validation rows scored per check, at most. */
  readonly maxRows: number;
  /**
   * Only folds (at their rung) with at least this many training rows stop early: on small data a check
   * (scoring up to maxRows rows with every tree) costs more than the rounds it saves.
   */
  readonly minTrainRows: number;
}

export interface CandidateSpec {
  readonly name: string;
  readonly engine: EngineKind;
  readonly fixed: ParamSet;
  readonly search: Readonly<Record<string, ParamSpec>>;
  /** Overrides the config's trialsPerCandidate for this candidate. */
  readonly trials?: number;
  /** XGBoost only: stop each fold's boosting early on its validation part. */
  readonly earlyStopping?: EarlyStoppingSpec;
}

/**
 * Successive halving: every trial is first cross-validated on a share of each fold's rows; the best
 * 1/factor of a rung go on to the next, which has factor times the rows; the last rung has all of them.
 */
export interface HalvingConfig {
  /** ≥ 2: the share of trials kept (1/factor) and the growth of the rows from one rung to the next. */
  readonly factor: number;
  /** A rung trains on at least this many rows of each fold (fewer rungs when the data is small). */
  readonly minRows: number;
  /** A rung validates on at least this many rows of each fold's validation part (all when it has fewer). */
  readonly minValidRows: number;
}

export interface SearchConfig {
  readonly metric: MetricName;
  readonly folds: number;
  readonly seed: number;
  readonly trialsPerCandidate: number;
  readonly candidates: readonly CandidateSpec[];
  /** Absent: every trial is cross-validated on all the rows. */
  readonly halving?: HalvingConfig;
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
  /** Training time summed over the folds and the rungs it ran (worker time, not queue time). */
  readonly durationMs: number;
  /** The successive-halving rung the trial reached (its scores are from there); the last is all rows. */
  readonly rung: RungReached;
  /** Mean and std of the CV scores at every rung the trial ran, lowest first (the last is mean/std). */
  readonly history: readonly { readonly mean: number; readonly std: number }[];
  /** With early stopping: the rounds each fold's model kept. */
  readonly foldRounds?: readonly number[];
  /** What a refit of this trial trains: `params`, with early stopping's mean fold rounds as `rounds`. */
  readonly fitParams: ParamSet;
}

export interface RungReached {
  /** 0-based rung index. */
  readonly index: number;
  /** Rungs in the candidate's schedule (1: no halving). */
  readonly of: number;
  /** Share of each fold's rows trained on at that rung (1 at the last). */
  readonly fraction: number;
  /** Training rows of the rung's folds, summed over the folds. */
  readonly trainRows: number;
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
  /** Every trial, as it ended (eliminated at a lower rung or scored on all rows), candidate then index. */
  readonly trials: readonly TrialResult[];
  /** The best trial scored on all rows (the last rung): selection never compares rungs. */
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

/** One rung of a candidate's successive-halving schedule. */
export interface Rung {
  readonly index: number;
  /** Trials cross-validated at this rung. */
  readonly trials: number;
  /** Share of each fold's training (and validation) rows used: factor^-(rungs − 1 − index). */
  readonly fraction: number;
}

/**
 * The rungs for `trials` trials on folds of `foldTrainRows` training rows (the smallest fold). As in
 * scikit-learn's HalvingRandomSearchCV: 1 + ⌊log_factor(trials)⌋ rungs (so a rung above the first keeps
 * ⌊trials / factor^i⌋ ≥ 1 trials), fewer when the first rung would train on fewer than `minRows` rows; the
 * last rung always trains on all rows. Without halving (or too few trials or rows): one rung, all trials,
 * all rows. Budget, in full-data fits per fold: Σ trialsᵢ · fractionᵢ ≤ rungs × trials / factor^(rungs−1).
 */
export function halvingSchedule(trials: number, foldTrainRows: number, halving?: HalvingConfig): Rung[] {
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`trials must be ≥ 1, got ${trials}`);
  if (!halving) return [{ index: 0, trials, fraction: 1 }];
  const { factor, minRows } = halving;
  if (!Number.isInteger(factor) || factor < 2)
    throw new RangeError(`halving factor must be ≥ 2, got ${factor}`);
  let rungs = 1;
  // Integer arithmetic: factor^rungs ≤ trials, and the first rung's rows (rows / factor^(rungs)) ≥ minRows.
  while (factor ** rungs <= trials && foldTrainRows / factor ** rungs >= minRows) rungs++;
  const out: Rung[] = [];
  for (let i = 0; i < rungs; i++) {
    out.push({
      index: i,
      trials: Math.max(1, Math.floor(trials / factor ** i)),
      fraction: 1 / factor ** (rungs - 1 - i),
    });
  }
  return out;
}

/**
 * A nested, stratified, seeded share of `rows` (indices into a matrix with labels y): each class's rows in a
 * seeded order, the first ⌈fraction · n_c⌉ of each taken, returned in ascending order. A larger fraction
 * (same seed) takes a superset, so a promoted trial sees the rows it was scored on and more.
 */
export function nestedShare(rows: Int32Array, y: Uint8Array, fraction: number, seed: number): Int32Array {
  if (fraction >= 1) return rows;
  const rnd = seededRandom(seed);
  const keep: number[] = [];
  for (const cls of [0, 1]) {
    const members: number[] = [];
    for (const r of rows) if (y[r] === cls) members.push(r);
    rnd.shuffle(members);
    keep.push(...members.slice(0, Math.ceil(fraction * members.length)));
  }
  return Int32Array.from(keep.sort((a, b) => a - b));
}

/** One fold, as row indices of shared matrices: the pool's jobs gather their rows themselves. */
interface FoldRows {
  readonly trainX: Float64Array;
  readonly trainY: Uint8Array;
  readonly train: Int32Array;
  readonly validX: Float64Array;
  readonly validY: Uint8Array;
  readonly valid: Int32Array;
}

/** Fold f's training and validation rows at a rung's fraction (the same for every trial and candidate). */
function foldAtFraction(
  fold: FoldRows,
  f: number,
  fraction: number,
  seed: number,
  minValid: number,
): FoldRows {
  if (fraction >= 1) return fold;
  const validFraction = Math.max(fraction, Math.min(1, minValid / fold.valid.length));
  const s = (seed ^ Math.imul(f + 1, 0x85ebca6b)) | 0;
  return {
    ...fold,
    train: nestedShare(fold.train, fold.trainY, fraction, s),
    valid: nestedShare(fold.valid, fold.validY, validFraction, s ^ 0x5bd1e995),
  };
}

const toSharedInt32 = (a: Int32Array): Int32Array => {
  const out = new Int32Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
};

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
  /** Called as each trial ends (record it, log progress); awaited before the search ends. */
  readonly onTrial?: (trial: TrialResult, done: number, total: number) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

/**
 * Random search with stratified k-fold CV over the training rows only (rebalanced inside each fold when
 * `resampleFolds` is given), with successive halving when the config has `halving`: a candidate's trials
 * are scored on a share of every fold's rows, the best 1/factor promoted to factor times the rows, up to
 * all of them (`halvingSchedule`). Every candidate's rung is submitted at once, all candidates together,
 * so the pool keeps all its workers busy. Selection compares only trials scored on all rows. Results depend
 * only on the data, the config and its seed (and the resampling settings), not on the pool or its timing.
 */
export async function randomSearch(input: SearchInput): Promise<SearchResult> {
  const { X, y, rows, cols, config, run } = input;
  if (config.candidates.length === 0) throw new RangeError('no candidates to train');
  const foldOf = stratifiedKFold(y, config.folds, config.seed);
  const sharedX = toShared(X);
  const sharedY = toShared(y);
  const indices = (pick: (i: number) => boolean): Int32Array => {
    const out: number[] = [];
    for (let i = 0; i < rows; i++) if (pick(i)) out.push(i);
    return toSharedInt32(Int32Array.from(out));
  };
  let folds: FoldRows[] = Array.from({ length: config.folds }, (_, f) => ({
    trainX: sharedX,
    trainY: sharedY,
    train: indices((i) => foldOf[i] !== f),
    validX: sharedX,
    validY: sharedY,
    valid: indices((i) => foldOf[i] === f),
  }));
  let resampling: SearchResult['resampling'];
  if (input.resampleFolds) {
    const started = performance.now();
    // The fold matrices exist only for the resampling; the trials read the rebalanced ones.
    const built = buildFolds(X, y, rows, cols, foldOf, config.folds);
    const rebalanced = await rebalanceFolds(built, cols, input.resampleFolds, input.signal);
    folds = folds.map((fold, f) => {
      const r = rebalanced.folds[f]!;
      return { ...fold, trainX: r.trainX, trainY: r.trainY, train: toSharedInt32(identity(r.trainRows)) };
    });
    resampling = { folds: rebalanced.reports, seconds: (performance.now() - started) / 1000 };
  }
  const smallestFold = Math.min(...folds.map((f) => f.train.length));
  const schedules = config.candidates.map((c) =>
    halvingSchedule(c.trials ?? config.trialsPerCandidate, smallestFold, config.halving),
  );
  // The folds at each fraction any schedule uses, built once and shared by every trial.
  const atFraction = new Map<number, FoldRows[]>();
  for (const rung of schedules.flat()) {
    if (atFraction.has(rung.fraction)) continue;
    const minValid = config.halving?.minValidRows ?? 0;
    atFraction.set(
      rung.fraction,
      folds.map((fold, f) => {
        const part = foldAtFraction(fold, f, rung.fraction, config.seed, minValid);
        return part === fold
          ? fold
          : { ...part, train: toSharedInt32(part.train), valid: toSharedInt32(part.valid) };
      }),
    );
  }
  const total = config.candidates.reduce((n, c) => n + (c.trials ?? config.trialsPerCandidate), 0);
  const order = config.candidates.map((c) => c.name);
  const pending: Promise<void>[] = [];
  let failure: Error | undefined;
  let done = 0;
  const report = (trial: TrialResult): void => {
    done++;
    if (!input.onTrial) return;
    // Settled here so a failing callback cannot surface as an unhandled rejection; rethrown below.
    const settled = Promise.resolve()
      .then(() => input.onTrial!(trial, done, total))
      .then(
        () => undefined,
        (e: unknown) => (failure ??= e instanceof Error ? e : new Error(String(e))),
      );
    pending.push(settled.then(() => undefined));
  };

  /** One trial's k fold fits at one rung, the folds concurrently. */
  const crossValidate = async (
    candidate: CandidateSpec,
    params: ParamSet,
    rung: Rung,
  ): Promise<{ scores: number[]; ms: number; rounds?: number[]; trainRows: number }> => {
    const ep = engineParams(candidate.engine, params, cols, config.seed);
    const parts = atFraction.get(rung.fraction)!;
    const spec = candidate.engine === 'xgboost' ? candidate.earlyStopping : undefined;
    const es =
      spec && Math.min(...parts.map((p) => p.train.length)) >= spec.minTrainRows
        ? { patience: spec.patience, every: spec.every, maxRows: spec.maxRows }
        : undefined;
    const outcomes = await Promise.all(
      parts.map((fold) => {
        input.signal?.throwIfAborted();
        return run({
          engine: candidate.engine,
          X: fold.trainX,
          y: fold.trainY,
          rows: fold.train.length,
          cols,
          select: fold.train,
          params: ep,
          evaluate: { X: fold.validX, rows: fold.valid.length, select: fold.valid, y: fold.validY },
          ...(es ? { earlyStopping: es } : {}),
        });
      }),
    );
    const scores = outcomes.map((o, f) => {
      const part = parts[f]!;
      return metricOf(
        config.metric,
        Uint8Array.from(part.valid, (r) => part.validY[r]!),
        o.proba!,
      );
    });
    return {
      scores,
      ms: outcomes.reduce((a, o) => a + o.trainMs, 0),
      ...(es ? { rounds: outcomes.map((o) => o.rounds!) } : {}),
      trainRows: parts.reduce((a, p) => a + p.train.length, 0),
    };
  };

  const searchCandidate = async (
    candidate: CandidateSpec,
    position: number,
  ): Promise<{ trials: TrialResult[]; summary: CandidateSummary }> => {
    const started = performance.now();
    const schedule = schedules[position]!;
    const sets = sampleTrials(candidate, schedule[0]!.trials, config.seed, position);
    let alive = sets.map((params, trialIndex) => ({
      params,
      trialIndex,
      ms: 0,
      history: [] as { mean: number; std: number }[],
    }));
    const ended: TrialResult[] = [];
    for (const rung of schedule) {
      const scored = await Promise.all(
        alive.map(async (t): Promise<TrialResult & { ms: number }> => {
          const cv = await crossValidate(candidate, t.params, rung);
          const ms = t.ms + cv.ms;
          const fitParams =
            cv.rounds && cv.rounds.length > 0
              ? { ...t.params, rounds: Math.max(1, Math.round(meanOf(cv.rounds))) }
              : t.params;
          const mean = meanOf(cv.scores);
          const std = stdOf(cv.scores);
          return {
            candidate: candidate.name,
            engine: candidate.engine,
            trialIndex: t.trialIndex,
            params: t.params,
            cvScores: cv.scores,
            mean,
            std,
            history: [...t.history, { mean, std }],
            durationMs: Math.round(ms),
            rung: {
              index: rung.index,
              of: schedule.length,
              fraction: rung.fraction,
              trainRows: cv.trainRows,
            },
            ...(cv.rounds ? { foldRounds: cv.rounds } : {}),
            fitParams,
            ms,
          };
        }),
      );
      scored.sort(compareTrials(order));
      const keep = schedule[rung.index + 1]?.trials ?? 0;
      for (const t of scored.slice(keep)) {
        const { ms: _ms, ...trial } = t;
        ended.push(trial);
        report(trial);
      }
      alive = scored.slice(0, keep).map((t) => ({
        params: t.params,
        trialIndex: t.trialIndex,
        ms: t.ms,
        history: [...t.history],
      }));
    }
    ended.sort((a, b) => a.trialIndex - b.trialIndex);
    const final = ended.filter((t) => t.rung.index === schedule.length - 1).sort(compareTrials(order))[0]!;
    return {
      trials: ended,
      summary: {
        candidate: candidate.name,
        cvMean: final.mean,
        cvStd: final.std,
        trainSeconds: (performance.now() - started) / 1000,
      },
    };
  };

  const searched = await Promise.all(config.candidates.map((c, position) => searchCandidate(c, position)));
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  const trials = searched.flatMap((s) => s.trials);
  const best = trials.filter((t) => t.rung.index === t.rung.of - 1).sort(compareTrials(order))[0]!;
  const leaderboard = searched.map((s) => s.summary);
  leaderboard.sort((a, b) => b.cvMean - a.cvMean || a.cvStd - b.cvStd);
  return { trials, best, leaderboard, ...(resampling ? { resampling } : {}) };
}

const identity = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/**
 * Fits the chosen configuration (its `fitParams`: early stopping's rounds) on the whole training matrix. On a WorkerPool a random forest grows its
 * trees across every worker (`trainForestInPool`); anything else is one job.
 */
export async function refit(
  runner: WorkerPool | JobRunner,
  trial: Pick<TrialResult, 'engine' | 'params'> & { readonly fitParams?: ParamSet },
  data: { X: Float64Array; y: Uint8Array; rows: number; cols: number },
  seed: number,
): Promise<{ model: Uint8Array; trainMs: number }> {
  const ep = engineParams(trial.engine, trial.fitParams ?? trial.params, data.cols, seed);
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
