import type { EngineKind } from '../engines/engine';
import { gatherLabels, gatherRows, type TrainJob, type TrainJobResult } from '../engines/jobs';
import type { MetricName } from '../evaluation/acceptance';
import { binaryMetrics } from '../evaluation/metrics';
import { engineParams, type ParamSet } from './engine-params';
import { rebalanceFolds, type FoldResampling, type FoldResamplingReport } from './fold-rebalancing';
import { buildFolds, indexFolds, stratifiedKFold, toSharedInt32, type CvFold } from './folds';

/** Runs one training job: a WorkerPool's `run`, or `runTrainJob` in this thread (tests). */
export type JobRunner = (job: TrainJob) => Promise<TrainJobResult>;

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

/** The metric's value on the positive class at threshold 0.5; 0 where it is undefined (no positive). */
export function metricOf(metric: MetricName, y: Uint8Array, proba: Float64Array): number {
  const m = binaryMetrics(y, proba, 0.5);
  const v = m[metric];
  return Number.isFinite(v) ? v : 0;
}

const meanOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Population standard deviation. */
const stdOf = (xs: readonly number[]): number => {
  const m = meanOf(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

export interface CvFoldsInput {
  readonly X: Float64Array;
  readonly y: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  readonly folds: number;
  readonly seed: number;
  /**
   * Rebalance each fold's training part (never its validation part). X and y are then the unbalanced
   * training matrix: resampling it before splitting would let a fold's synthetic rows be interpolated from
   * another fold's validation rows. Without it the folds are used as they are.
   */
  readonly resample?: FoldResampling;
  /**
   * Cross-validate on these rows of X only (ascending indices, e.g. a stratified sample under the search's
   * row cap): the folds are index views of X itself, so the sample is never copied (except to rebalance
   * its folds, which builds fold matrices anyway). Absent: all rows.
   */
  readonly subset?: Int32Array;
  readonly signal?: AbortSignal;
}

export interface CvFolds {
  readonly folds: CvFold[];
  /** Present when the folds were rebalanced (`CvFoldsInput.resample`). */
  readonly resampling?: {
    readonly folds: readonly FoldResamplingReport[];
    /** Wall time of rebalancing every fold (the folds run concurrently on the runner). */
    readonly seconds: number;
  };
}

const identity = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/**
 * The stratified k folds of a training matrix, on shared buffers, each fold's training part rebalanced on
 * its own when `resample` is given (once, for every configuration scored on them).
 */
export async function cvFolds(input: CvFoldsInput): Promise<CvFolds> {
  const { X, y, rows, cols, folds: k, seed, subset } = input;
  const sampleY = subset ? gatherLabels(y, subset) : y;
  const sampleRows = subset ? subset.length : rows;
  const foldOf = stratifiedKFold(sampleY, k, seed);
  const folds = indexFolds(X, y, sampleRows, foldOf, k, subset);
  if (!input.resample) return { folds };
  const started = performance.now();
  // The fold matrices exist only for the resampling; the trials read the rebalanced ones.
  const sampleX = subset ? gatherRows(X, cols, subset) : X;
  const built = buildFolds(sampleX, sampleY, sampleRows, cols, foldOf, k);
  const rebalanced = await rebalanceFolds(built, cols, input.resample, input.signal);
  return {
    folds: folds.map((fold, f) => {
      const r = rebalanced.folds[f]!;
      return { ...fold, trainX: r.trainX, trainY: r.trainY, train: toSharedInt32(identity(r.trainRows)) };
    }),
    resampling: { folds: rebalanced.reports, seconds: (performance.now() - started) / 1000 },
  };
}

export interface CrossValidateInput {
  readonly engine: EngineKind;
  /** The configuration, as the search names it (`engineParams` maps it to the engine's). */
  readonly params: ParamSet;
  readonly seed: number;
  readonly folds: readonly CvFold[];
  readonly cols: number;
  readonly metric: MetricName;
  readonly run: JobRunner;
  /** XGBoost only, and only when every fold has at least `minTrainRows` training rows. */
  readonly earlyStopping?: EarlyStoppingSpec;
  readonly signal?: AbortSignal;
}

export interface CrossValidation {
  /** One score per fold, fold order. */
  readonly scores: number[];
  readonly mean: number;
  /** Population standard deviation over the folds. */
  readonly std: number;
  /** Training time summed over the folds (worker time, not queue time). */
  readonly ms: number;
  /** With early stopping: the rounds each fold's model kept. */
  readonly rounds?: number[];
  /** Training rows summed over the folds. */
  readonly trainRows: number;
}

/** One configuration's k fold fits, the folds concurrently on the runner, each scored on its validation part. */
export async function crossValidate(input: CrossValidateInput): Promise<CrossValidation> {
  const { engine, folds, cols, run } = input;
  const ep = engineParams(engine, input.params, cols, input.seed);
  const spec = engine === 'xgboost' ? input.earlyStopping : undefined;
  const es =
    spec && Math.min(...folds.map((p) => p.train.length)) >= spec.minTrainRows
      ? { patience: spec.patience, every: spec.every, maxRows: spec.maxRows }
      : undefined;
  const outcomes = await Promise.all(
    folds.map((fold) => {
      input.signal?.throwIfAborted();
      return run({
        engine,
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
    const part = folds[f]!;
    return metricOf(
      input.metric,
      Uint8Array.from(part.valid, (r) => part.validY[r]!),
      o.proba!,
    );
  });
  return {
    scores,
    mean: meanOf(scores),
    std: stdOf(scores),
    ms: outcomes.reduce((a, o) => a + o.trainMs, 0),
    ...(es ? { rounds: outcomes.map((o) => o.rounds!) } : {}),
    trainRows: folds.reduce((a, p) => a + p.train.length, 0),
  };
}
