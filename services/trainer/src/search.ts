import {
  crossValidate,
  cvFolds,
  foldShare,
  seededRandom,
  stratifiedSample,
  type CvFold,
  type CrossValidation,
  type EarlyStoppingSpec,
  type EngineKind,
  type FoldResampling,
  type FoldResamplingReport,
  type JobRunner,
  type ParamSet,
  type ParamValue,
  type Random,
} from '@netsentry/ml';

export type { EarlyStoppingSpec, FoldResampling, JobRunner, ParamSet, ParamValue } from '@netsentry/ml';

/** A hyperparameter's search space. */
export type ParamSpec =
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly log: boolean }
  | { readonly kind: 'float'; readonly min: number; readonly max: number; readonly log: boolean }
  | { readonly kind: 'choice'; readonly values: readonly ParamValue[] };

export const METRICS = ['f1', 'precision', 'recall', 'accuracy', 'rocAuc', 'prAuc'] as const;
export type MetricName = (typeof METRICS)[number];

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
  /**
   * At most this many training rows for the search (a stratified, seeded sample, about this many: each
   * class ⌈its share⌉); the refit still trains on every row. Absent: the search uses every row.
   */
  readonly maxSearchRows?: number;
  /**
   * Wall seconds the search may spend before its last rung: once they pass, no further trial of a lower
   * rung starts and each candidate's best trial so far goes straight to the last rung (all its rows),
   * which always runs. Absent: no limit. A search that reaches its budget depends on timing.
   */
  readonly budgetSeconds?: number;
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
export interface SearchResult {
  /** Every trial, as it ended (eliminated at a lower rung or scored on all rows), candidate then index. */
  readonly trials: readonly TrialResult[];
  /** The best trial scored on all rows (the last rung): selection never compares rungs. */
  readonly best: TrialResult;
  /** Best trial of every candidate, best first. */
  readonly leaderboard: readonly CandidateSummary[];
  /** Rows cross-validated on: all training rows, or the sample under `maxSearchRows`. */
  readonly searchRows: number;
  /** Present with `budgetSeconds`: whether it was reached, and the trials it left unscored. */
  readonly budget?: {
    readonly seconds: number;
    readonly exhausted: boolean;
    /** Trials never scored (their first rung's folds were not started). */
    readonly unscored: number;
  };
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

const meanRounds = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

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
  /** Called as each trial is scored at a rung (progress within the rung: `done` of its `total` trials). */
  readonly onScored?: (progress: RungProgress) => void;
  /**
   * With a budget: how many jobs to hand the runner at once (the pool's size), so the budget is checked as
   * each job starts, not when it was queued. Default 1.
   */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

/** A lower rung's job not started because the search's time budget had passed. */
class BudgetReached extends Error {
  constructor() {
    super('search budget reached');
  }
}

/**
 * Hands jobs to `run` in the order asked, at most `concurrency` at a time; a skippable job asked for after
 * `deadline` is not run (rejects with BudgetReached).
 */
function budgetedRunner(
  run: JobRunner,
  concurrency: number,
  deadline: number,
): {
  run: (job: Parameters<JobRunner>[0], skippable: boolean) => ReturnType<JobRunner>;
  reached: () => boolean;
} {
  const waiting: (() => void)[] = [];
  let active = 0;
  let reached = false;
  const release = (): void => {
    active--;
    waiting.shift()?.();
  };
  return {
    reached: () => reached || performance.now() > deadline,
    run: async (job, skippable) => {
      if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
      active++;
      if (skippable && performance.now() > deadline) {
        reached = true;
        release();
        throw new BudgetReached();
      }
      try {
        return await run(job);
      } finally {
        release();
      }
    },
  };
}

/** How far one rung of one candidate's search is. */
export interface RungProgress {
  readonly candidate: string;
  /** 0-based rung index, of `rungs` (1: no halving). */
  readonly rung: number;
  readonly rungs: number;
  /** Trials of the rung scored so far, of the rung's `total`. */
  readonly done: number;
  readonly total: number;
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
  const { X, y, rows, cols, config } = input;
  if (config.candidates.length === 0) throw new RangeError('no candidates to train');
  const searchStarted = performance.now();
  const subset =
    config.maxSearchRows === undefined ? null : stratifiedSample(y, rows, config.maxSearchRows, config.seed);
  const { folds, resampling } = await cvFolds({
    X,
    y,
    rows,
    cols,
    folds: config.folds,
    seed: config.seed,
    ...(subset ? { subset } : {}),
    ...(input.resampleFolds ? { resample: input.resampleFolds } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const smallestFold = Math.min(...folds.map((f) => f.train.length));
  const schedules = config.candidates.map((c) =>
    halvingSchedule(c.trials ?? config.trialsPerCandidate, smallestFold, config.halving),
  );
  // The folds at each fraction any schedule uses, built once and shared by every trial.
  const atFraction = new Map<number, CvFold[]>();
  const minValid = config.halving?.minValidRows ?? 0;
  for (const rung of schedules.flat()) {
    if (atFraction.has(rung.fraction)) continue;
    atFraction.set(
      rung.fraction,
      folds.map((fold, f) => foldShare(fold, f, rung.fraction, config.seed, minValid)),
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

  const budget =
    config.budgetSeconds === undefined
      ? null
      : budgetedRunner(input.run, input.concurrency ?? 1, searchStarted + config.budgetSeconds * 1000);
  let unscored = 0;

  /** One trial's k fold fits at one rung, the folds concurrently (a lower rung's may meet the budget). */
  const crossValidateAt = (
    candidate: CandidateSpec,
    params: ParamSet,
    rung: Rung,
    last: boolean,
  ): Promise<CrossValidation> =>
    crossValidate({
      engine: candidate.engine,
      params,
      seed: config.seed,
      folds: atFraction.get(rung.fraction)!,
      cols,
      metric: config.metric,
      run: budget ? (job) => budget.run(job, !last) : input.run,
      ...(candidate.earlyStopping ? { earlyStopping: candidate.earlyStopping } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });

  const searchCandidate = async (
    candidate: CandidateSpec,
    position: number,
  ): Promise<{ trials: TrialResult[]; summary: CandidateSummary }> => {
    const started = performance.now();
    const schedule = schedules[position]!;
    const sets = sampleTrials(candidate, schedule[0]!.trials, config.seed, position);
    type Alive = {
      params: ParamSet;
      trialIndex: number;
      ms: number;
      history: { mean: number; std: number }[];
    };
    /** Each alive trial's result at the last rung it was scored on (reported if the budget stops it). */
    const lastScored = new Map<number, TrialResult>();
    let alive: Alive[] = sets.map((params, trialIndex) => ({ params, trialIndex, ms: 0, history: [] }));
    const ended: TrialResult[] = [];
    const end = (trial: TrialResult): void => {
      ended.push(trial);
      report(trial);
    };
    for (let r = 0; r < schedule.length; r++) {
      const rung = schedule[r]!;
      const last = r === schedule.length - 1;
      let scoredAtRung = 0;
      const atRung = alive.length;
      const outcomes = await Promise.all(
        alive.map(async (t): Promise<(TrialResult & { ms: number }) | null> => {
          let cv: CrossValidation;
          try {
            cv = await crossValidateAt(candidate, t.params, rung, last);
          } catch (e) {
            if (e instanceof BudgetReached) return null;
            throw e;
          }
          input.onScored?.({
            candidate: candidate.name,
            rung: rung.index,
            rungs: schedule.length,
            done: ++scoredAtRung,
            total: atRung,
          });
          const ms = t.ms + cv.ms;
          const fitParams =
            cv.rounds && cv.rounds.length > 0
              ? { ...t.params, rounds: Math.max(1, Math.round(meanRounds(cv.rounds))) }
              : t.params;
          const { mean, std } = cv;
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
      const scored = outcomes.filter((o) => o !== null).sort(compareTrials(order));
      const stopped = alive.filter((_, i) => outcomes[i] === null);
      const strip = ({ ms: _ms, ...trial }: TrialResult & { ms: number }): TrialResult => trial;
      const carry = (t: TrialResult & { ms: number }): Alive => ({
        params: t.params,
        trialIndex: t.trialIndex,
        ms: t.ms,
        history: [...t.history],
      });
      // The budget is spent before the last rung: one trial goes straight there, the best scored at this
      // rung, else the best carried to it (alive is best first), else the first sampled.
      const jump = !last && budget !== null && budget.reached();
      const jumper = jump
        ? scored[0]
          ? carry(scored[0])
          : (stopped.find((t) => lastScored.has(t.trialIndex)) ?? stopped[0]!)
        : undefined;
      // Stopped by the budget: ended where they were last scored (never scored: not a trial result).
      for (const t of stopped) {
        if (t === jumper) continue;
        const before = lastScored.get(t.trialIndex);
        if (before) end(before);
        else unscored++;
      }
      if (last) {
        for (const t of scored) end(strip(t));
        break;
      }
      if (jumper) {
        for (const t of scored.slice(scored[0] && jumper.trialIndex === scored[0].trialIndex ? 1 : 0))
          end(strip(t));
        alive = [jumper];
        r = schedule.length - 2;
        continue;
      }
      const keep = schedule[r + 1]!.trials;
      for (const t of scored.slice(keep)) end(strip(t));
      for (const t of scored.slice(0, keep)) lastScored.set(t.trialIndex, strip(t));
      alive = scored.slice(0, keep).map(carry);
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
  return {
    trials,
    best,
    leaderboard,
    searchRows: subset ? subset.length : rows,
    ...(budget ? { budget: { seconds: config.budgetSeconds!, exhausted: budget.reached(), unscored } } : {}),
    ...(resampling ? { resampling } : {}),
  };
}
