import type { DatasetSchema } from '@netsentry/dataset';
import type { LabelledFrame } from './frame';
import type { LabelledMatrix } from './matrix-file';
import {
  applyPreprocessor,
  asTrainSplit,
  classCounts,
  decideResampling,
  fitPreprocessor,
  smoteTomek,
  smoteTomekWith,
  type FittedPreprocessor,
  type NeighbourSearch,
  type ResamplingDecision,
  type ResamplingPolicy,
} from './preprocessing';

export interface TransformSettings {
  readonly imputation: 'knn' | 'median';
  readonly knnK: number;
  /** `auto`: SMOTE-Tomek only when the train split's minority share is below `resamplingMinShare`. */
  readonly resampling: ResamplingPolicy;
  /** `auto`'s threshold (default DEFAULT_RESAMPLING_MIN_SHARE, 0.35). */
  readonly resamplingMinShare?: number;
  readonly smoteK: number;
  readonly seed: number;
}

export interface TransformResult {
  readonly preprocessor: FittedPreprocessor;
  /** Train, rebalanced when resampling is on: what the chosen model is refitted on. */
  readonly train: LabelledMatrix;
  /**
   * Train transformed but not resampled, when resampling is on (null otherwise: train is that already).
   * The trainer cross-validates on it and rebalances inside each fold.
   */
  readonly unbalancedTrain: LabelledMatrix | null;
  readonly test: LabelledMatrix;
  readonly classCountsBefore: Record<string, number>;
  readonly classCountsAfter: Record<string, number>;
  /** Which policy applied to this train split, and why. */
  readonly resampling: ResamplingDecision;
}

const counts = (y: Uint8Array): Record<string, number> => {
  const c = classCounts(y);
  return { '0': c.negative, '1': c.positive };
};

/**
 * Fits the preprocessor on train only, applies the same fitted preprocessor to train and test, and
 * balances train (never test) with SMOTE-Tomek when the resampling policy says so, keeping the unbalanced
 * train as well. The neighbour searches run in this thread; `transformDatasetWith` runs them elsewhere.
 */
export function transformDataset(
  schema: DatasetSchema,
  train: LabelledFrame,
  test: LabelledFrame,
  settings: TransformSettings,
): TransformResult {
  const prepared = prepare(schema, train, test, settings);
  if (prepared.decision.method === 'none') return finish(prepared, null);
  const { trainX } = prepared;
  return finish(
    prepared,
    smoteTomek(trainX.X, trainX.y, { cols: trainX.cols, k: settings.smoteK, seed: settings.seed }),
  );
}

/** `transformDataset` with SMOTE-Tomek's neighbour searches done by `search` (e.g. on a worker pool). */
export async function transformDatasetWith(
  schema: DatasetSchema,
  train: LabelledFrame,
  test: LabelledFrame,
  settings: TransformSettings,
  search: NeighbourSearch,
): Promise<TransformResult> {
  const prepared = prepare(schema, train, test, settings);
  if (prepared.decision.method === 'none') return finish(prepared, null);
  return resample(prepared, settings, search);
}

interface Prepared {
  readonly preprocessor: FittedPreprocessor;
  readonly trainX: LabelledMatrix;
  readonly test: LabelledMatrix;
  readonly decision: ResamplingDecision;
}

function prepare(
  schema: DatasetSchema,
  train: LabelledFrame,
  test: LabelledFrame,
  settings: TransformSettings,
): Prepared {
  const preprocessor = fitPreprocessor(asTrainSplit(train), schema, {
    imputation: settings.imputation,
    k: settings.knnK,
    seed: settings.seed,
  });
  const trainX = applyPreprocessor(preprocessor, train.features);
  const testX = applyPreprocessor(preprocessor, test.features);
  const decision = decideResampling(
    settings.resampling,
    classCounts(train.labels),
    ...(settings.resamplingMinShare === undefined ? [] : [settings.resamplingMinShare]),
  );
  const matrix = (m: typeof trainX, y: Uint8Array): LabelledMatrix => ({
    X: m.X,
    y,
    rows: m.rows,
    cols: m.cols,
    featureNames: m.featureNames,
  });
  return { preprocessor, trainX: matrix(trainX, train.labels), test: matrix(testX, test.labels), decision };
}

async function resample(
  prepared: Prepared,
  settings: TransformSettings,
  search: NeighbourSearch,
): Promise<TransformResult> {
  const { trainX } = prepared;
  const balanced = await smoteTomekWith(
    trainX.X,
    trainX.y,
    { cols: trainX.cols, k: settings.smoteK, seed: settings.seed },
    search,
  );
  return finish(prepared, balanced);
}

function finish(
  prepared: Prepared,
  balanced: { X: Float64Array; y: Uint8Array; rows: number } | null,
): TransformResult {
  const { trainX, test } = prepared;
  const names = { cols: trainX.cols, featureNames: trainX.featureNames };
  const trainOut = balanced ? { X: balanced.X, y: balanced.y, rows: balanced.rows, ...names } : trainX;
  return {
    preprocessor: prepared.preprocessor,
    train: trainOut,
    unbalancedTrain: balanced ? trainX : null,
    test,
    classCountsBefore: counts(trainX.y),
    classCountsAfter: counts(trainOut.y),
    resampling: prepared.decision,
  };
}
