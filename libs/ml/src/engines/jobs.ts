import type { DatasetSchema } from '@netsentry/dataset';
import type { Frame, LabelledFrame } from '../frame';
import { PreprocessingError, type PreprocessingErrorCode } from '../preprocessing/errors';
import {
  applyPreprocessor,
  asTrainSplit,
  fitPreprocessor,
  type FittedPreprocessor,
  type PreprocessorOptions,
} from '../preprocessing/preprocessor';
import type { PointMatrix } from '../preprocessing/brute-knn';
import { kNearestNeighbours, type NeighbourMethod } from '../preprocessing/neighbours';
import { smoteTomek, type SmoteTomekResult } from '../preprocessing/smote-tomek';
import { runTomekJob, type TomekJob, type TomekJobResult } from '../preprocessing/tomek-search';
import { EngineError, type EngineErrorCode, type FeatureMatrix } from './engine';
import { loadModel } from './models';
import { trainRandomForest, type RandomForestParams } from './random-forest';
import { trainXGBoost, type XGBoostModel, type XGBoostParams } from './xgboost-model';
import { loadXGBoostWasm } from './xgboost-wasm';

/** A training job as it crosses to a worker: plain data only (structured-clone friendly). */
export type TrainJob = {
  readonly X: FeatureMatrix;
  readonly y: Uint8Array;
  /** Rows trained on: all of X's, or `select.length` when `select` is given. */
  readonly rows: number;
  readonly cols: number;
  /**
   * Train on these rows of X only (indices, in the order wanted; X and y then hold `X.length / cols` rows),
   * e.g. a CV fold's training part of the shared training matrix: the worker gathers them, so no fold
   * matrix need exist outside the job.
   */
  readonly select?: Int32Array;
  /** Score these rows with the fresh model in the worker (a CV fold's validation part). */
  readonly evaluate?: {
    readonly X: FeatureMatrix;
    /** Rows scored: all of X's, or `select.length`. */
    readonly rows: number;
    readonly select?: Int32Array;
    /** Their labels (all of X's rows when `select` is given): needed by `earlyStopping`. */
    readonly y?: Uint8Array;
  };
  /**
   * XGBoost only: stop boosting once `patience` rounds pass without a lower log loss on the `evaluate`
   * rows (checked every `every` rounds, on at most `maxRows` of them), keeping the best round's model.
   */
  readonly earlyStopping?: { readonly patience: number; readonly every?: number; readonly maxRows?: number };
} & (
  | { readonly engine: 'xgboost'; readonly params?: Partial<XGBoostParams> }
  | { readonly engine: 'random-forest'; readonly params?: Partial<RandomForestParams> }
);

export interface TrainJobResult {
  /** The model's `toBytes()`; load it with `loadModel`. */
  readonly model: Uint8Array;
  readonly trainMs: number;
  readonly proba?: Float64Array;
  /** With `earlyStopping`: the boosting rounds the returned model has (its best check). */
  readonly rounds?: number;
}

/** The selected rows of a row-major matrix, as a new matrix of the same type. */
export function gatherRows<T extends FeatureMatrix>(X: T, cols: number, select: Int32Array): T {
  const out = (
    X instanceof Float32Array
      ? new Float32Array(select.length * cols)
      : new Float64Array(select.length * cols)
  ) as T;
  for (let i = 0; i < select.length; i++) {
    const from = select[i]! * cols;
    out.set(X.subarray(from, from + cols), i * cols);
  }
  return out;
}

/** The selected labels, as a new array. */
export function gatherLabels(y: Uint8Array, select: Int32Array): Uint8Array {
  const out = new Uint8Array(select.length);
  for (let i = 0; i < select.length; i++) out[i] = y[select[i]!]!;
  return out;
}

/** Runs one job in the current thread: the worker entry calls this, and so can code that needs no pool. */
export async function runTrainJob(job: TrainJob): Promise<TrainJobResult> {
  if (job.engine === 'random-forest') return runForestJob(job);
  // The rows are encoded from the shared matrix straight into the engine's input (its float32 DMatrix
  // is the one copy XGBoost needs); only the labels are gathered.
  const y = job.select ? gatherLabels(job.y, job.select) : job.y;
  const ev = job.evaluate;
  const evalY = ev?.y && ev.select ? gatherLabels(ev.y, ev.select) : ev?.y;
  const started = performance.now();
  const es = job.earlyStopping;
  if (es && (!ev || !evalY)) {
    throw new EngineError(
      'INVALID_INPUT',
      'earlyStopping needs evaluate rows with their labels (evaluate.y)',
    );
  }
  const early =
    es && ev && evalY
      ? { ...es, X: ev.X, y: evalY, rows: ev.rows, ...(ev.select ? { select: ev.select } : {}) }
      : undefined;
  const model: XGBoostModel = trainXGBoost(
    await loadXGBoostWasm(),
    job.X,
    y,
    job.rows,
    job.cols,
    job.params,
    early,
    job.select,
  );
  try {
    const trainMs = performance.now() - started;
    const proba = ev ? model.predictProba(ev.X, ev.rows, job.cols, ev.select) : undefined;
    const rounds = job.earlyStopping ? model.params.rounds : undefined;
    return {
      model: model.toBytes(),
      trainMs,
      ...(proba ? { proba } : {}),
      ...(rounds === undefined ? {} : { rounds }),
    };
  } finally {
    model.free();
  }
}

/**
 * The random forest reads its rows of the shared matrix through the selections (training and scoring):
 * no gathered float64 copy of a fold's training or validation part exists, only the forest's uint8 bins.
 */
function runForestJob(job: TrainJob & { readonly engine: 'random-forest' }): TrainJobResult {
  const started = performance.now();
  const model = trainRandomForest(job.X, job.y, job.rows, job.cols, job.params, job.select);
  const trainMs = performance.now() - started;
  const ev = job.evaluate;
  const proba = ev ? model.predictProba(ev.X, ev.rows, job.cols, ev.select) : undefined;
  return { model: model.toBytes(), trainMs, ...(proba ? { proba } : {}) };
}

/**
 * A resampling job: SMOTE-Tomek (`smoteTomek`) of one training matrix, e.g. a CV fold's training part.
 * Plain data only, like TrainJob; X and y may sit on SharedArrayBuffers (read, never written).
 */
export interface ResampleJob {
  readonly method: 'smote-tomek';
  readonly X: Float64Array;
  readonly y: Uint8Array;
  readonly cols: number;
  /** SMOTE's nearest neighbours (default 5). */
  readonly k?: number;
  readonly seed?: number;
  readonly removal?: 'all' | 'majority';
}

export interface ResampleJobResult {
  /** The rebalanced rows (originals kept, synthetic ones appended, Tomek links dropped), row-major. */
  readonly X: Float64Array;
  readonly y: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  readonly report: SmoteTomekResult['report'];
  readonly resampleMs: number;
}

/** Runs one resampling job in the current thread: the worker entry calls this, and so can tests. */
export function runResampleJob(job: ResampleJob): ResampleJobResult {
  const started = performance.now();
  const out = smoteTomek(job.X, job.y, {
    cols: job.cols,
    ...(job.k === undefined ? {} : { k: job.k }),
    ...(job.seed === undefined ? {} : { seed: job.seed }),
    ...(job.removal === undefined ? {} : { removal: job.removal }),
  });
  return { ...out, resampleMs: performance.now() - started };
}

/**
 * One share of an exact k-NN search (`kNearestNeighbours`): the k nearest indexed points of the indexed
 * points at positions queryStart..queryEnd-1. Points and indices are best on SharedArrayBuffers, read only.
 */
export interface NeighbourJob {
  readonly points: PointMatrix;
  readonly dims: number;
  readonly k: number;
  readonly indices?: Int32Array;
  readonly queryStart: number;
  readonly queryEnd: number;
  readonly method: NeighbourMethod;
}

export interface NeighbourJobResult {
  /** `(queryEnd − queryStart) × k`, row-major, nearest first. */
  readonly neighbours: Int32Array;
  readonly sqDistances: Float64Array;
  readonly searchMs: number;
}

export function runNeighbourJob(job: NeighbourJob): NeighbourJobResult {
  const started = performance.now();
  const out = kNearestNeighbours(job.points, job.dims, job.k, {
    method: job.method,
    queryStart: job.queryStart,
    queryEnd: job.queryEnd,
    ...(job.indices ? { indices: job.indices } : {}),
  });
  return { neighbours: out.indices, sqDistances: out.sqDistances, searchMs: performance.now() - started };
}

/** Fits the preprocessor on a training split (`fitPreprocessor`) in a worker. */
export interface FitPreprocessorJob {
  readonly train: LabelledFrame;
  readonly schema: DatasetSchema;
  readonly options: PreprocessorOptions;
}

export interface FitPreprocessorJobResult {
  readonly preprocessor: FittedPreprocessor;
  readonly fitMs: number;
}

export function runFitPreprocessorJob(job: FitPreprocessorJob): FitPreprocessorJobResult {
  const started = performance.now();
  const preprocessor = fitPreprocessor(asTrainSplit(job.train), job.schema, job.options);
  return { preprocessor, fitMs: performance.now() - started };
}

/** Applies a fitted preprocessor to some rows (`applyPreprocessor`) in a worker. */
export interface ApplyPreprocessorJob {
  readonly preprocessor: FittedPreprocessor;
  readonly frame: Frame;
}

export interface ApplyPreprocessorJobResult {
  /** Row-major `frame.rows × cols`. */
  readonly X: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

export function runApplyPreprocessorJob(job: ApplyPreprocessorJob): ApplyPreprocessorJobResult {
  const m = applyPreprocessor(job.preprocessor, job.frame);
  return { X: m.X, rows: m.rows, cols: m.cols };
}

/**
 * Scores raw records with a model in a worker: the bundle's preprocessor, then the model's P(positive)
 * (what `OpenBundle.scoreFrame` does). `frame` null: only load the model and check its columns.
 */
export interface ScoreJob {
  /** The model's `toBytes()` (a bundle's `model.data`, decoded). */
  readonly model: Uint8Array;
  readonly preprocessor: FittedPreprocessor;
  readonly frame: Frame | null;
}

export interface ScoreJobResult {
  readonly proba: Float64Array;
  readonly scoreMs: number;
}

export async function runScoreJob(job: ScoreJob): Promise<ScoreJobResult> {
  const started = performance.now();
  const model = await loadModel(job.model);
  try {
    const cols = job.preprocessor.outputFeatures.length;
    if (model.cols !== cols) {
      throw new EngineError(
        'LOAD_FAILED',
        `model expects ${model.cols} columns, the preprocessor gives ${cols}`,
      );
    }
    if (job.frame === null || job.frame.rows === 0)
      return { proba: new Float64Array(0), scoreMs: performance.now() - started };
    const m = applyPreprocessor(job.preprocessor, job.frame);
    return { proba: model.predictProba(m.X, m.rows, m.cols), scoreMs: performance.now() - started };
  } finally {
    model.free();
  }
}

/** What crosses to a worker: one job of any kind, tagged. */
export type PoolJob =
  | { readonly type: 'train'; readonly job: TrainJob }
  | { readonly type: 'resample'; readonly job: ResampleJob }
  | { readonly type: 'neighbours'; readonly job: NeighbourJob }
  | { readonly type: 'tomek'; readonly job: TomekJob }
  | { readonly type: 'fit-preprocessor'; readonly job: FitPreprocessorJob }
  | { readonly type: 'apply-preprocessor'; readonly job: ApplyPreprocessorJob }
  | { readonly type: 'score'; readonly job: ScoreJob };

export type PoolJobResult =
  | TrainJobResult
  | ResampleJobResult
  | NeighbourJobResult
  | TomekJobResult
  | FitPreprocessorJobResult
  | ApplyPreprocessorJobResult
  | ScoreJobResult;

/** Runs a tagged job in the current thread (the worker entry's dispatch). */
export async function runPoolJob(job: PoolJob): Promise<PoolJobResult> {
  switch (job.type) {
    case 'train':
      return await runTrainJob(job.job);
    case 'resample':
      return runResampleJob(job.job);
    case 'neighbours':
      return runNeighbourJob(job.job);
    case 'tomek':
      return runTomekJob(job.job);
    case 'fit-preprocessor':
      return runFitPreprocessorJob(job.job);
    case 'apply-preprocessor':
      return runApplyPreprocessorJob(job.job);
    case 'score':
      return await runScoreJob(job.job);
  }
}

/**
 * The ArrayBuffers a job's input or result can move instead of being copied: every typed array on a
 * plain ArrayBuffer (SharedArrayBuffers are shared anyway), each buffer once.
 */
export function transferableBuffers(arrays: readonly (ArrayBufferView | undefined)[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of arrays) if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  return [...out];
}

/** The result's arrays, for the worker to transfer back. */
export function resultBuffers(result: PoolJobResult): ArrayBuffer[] {
  if ('model' in result) return transferableBuffers([result.model, result.proba]);
  if ('neighbours' in result) return transferableBuffers([result.neighbours, result.sqDistances]);
  if ('tomekMs' in result) {
    // The index job's arrays are on SharedArrayBuffers: nothing of it moves.
    if (result.step === 'search') return transferableBuffers([result.nearestOther]);
    if (result.step === 'confirm') return transferableBuffers([result.confirmed]);
    return [];
  }
  if ('preprocessor' in result) return [];
  if ('scoreMs' in result) return transferableBuffers([result.proba]);
  if ('y' in result) return transferableBuffers([result.X, result.y]);
  return transferableBuffers([result.X]);
}

export interface WireError {
  /** Which error class to rebuild on the caller's side. */
  readonly kind: 'engine' | 'preprocessing';
  readonly code: string;
  readonly message: string;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof EngineError) return { kind: 'engine', code: e.code, message: e.message };
  if (e instanceof PreprocessingError) return { kind: 'preprocessing', code: e.code, message: e.message };
  return { kind: 'engine', code: 'WORKER_FAILED', message: e instanceof Error ? e.message : String(e) };
}

/** The error a WireError stands for, with its class and code. */
export function fromWireError(w: WireError): EngineError | PreprocessingError {
  return w.kind === 'preprocessing'
    ? new PreprocessingError(w.code as PreprocessingErrorCode, w.message)
    : new EngineError(w.code as EngineErrorCode, w.message);
}
