import type { DatasetSchema } from '@netsentry/dataset';
import type { LabelledFrame } from './frame';
import type { LabelledMatrix } from './matrix-file';
import {
  applyPreprocessor,
  asTrainSplit,
  classCounts,
  fitPreprocessor,
  smoteTomek,
  type FittedPreprocessor,
} from './preprocessing';

export interface TransformSettings {
  readonly imputation: 'knn' | 'median';
  readonly knnK: number;
  readonly resampling: 'smote-tomek' | 'none';
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
}

const counts = (y: Uint8Array): Record<string, number> => {
  const c = classCounts(y);
  return { '0': c.negative, '1': c.positive };
};

/**
 * Fits the preprocessor on train only, applies the same fitted preprocessor to train and test, and
 * balances train (never test) with SMOTE-Tomek, keeping the unbalanced train as well.
 */
export function transformDataset(
  schema: DatasetSchema,
  train: LabelledFrame,
  test: LabelledFrame,
  settings: TransformSettings,
): TransformResult {
  const preprocessor = fitPreprocessor(asTrainSplit(train), schema, {
    imputation: settings.imputation,
    k: settings.knnK,
    seed: settings.seed,
  });
  const trainX = applyPreprocessor(preprocessor, train.features);
  const testX = applyPreprocessor(preprocessor, test.features);
  const before = counts(train.labels);
  const resampled = settings.resampling === 'smote-tomek';
  const balanced = resampled
    ? smoteTomek(trainX.X, train.labels, { cols: trainX.cols, k: settings.smoteK, seed: settings.seed })
    : { X: trainX.X, y: train.labels, rows: trainX.rows };
  return {
    preprocessor,
    train: {
      X: balanced.X,
      y: balanced.y,
      rows: balanced.rows,
      cols: trainX.cols,
      featureNames: trainX.featureNames,
    },
    unbalancedTrain: resampled
      ? {
          X: trainX.X,
          y: train.labels,
          rows: trainX.rows,
          cols: trainX.cols,
          featureNames: trainX.featureNames,
        }
      : null,
    test: {
      X: testX.X,
      y: test.labels,
      rows: testX.rows,
      cols: testX.cols,
      featureNames: testX.featureNames,
    },
    classCountsBefore: before,
    classCountsAfter: counts(balanced.y),
  };
}
