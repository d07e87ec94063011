import type { DatasetSchema } from '@netsentry/dataset';
import { buildBundle, type BundleParamValue, type ModelBundle } from '../bundle/model-bundle';
import type { TrainedModel } from '../engines/engine';
import type { Frame } from '../frame';
import type { FittedPreprocessor } from '../preprocessing/preprocessor';
import { profileFrame } from '../stats/profile';

/** The training time a test bundle carries unless told otherwise: fixed, so equal inputs give equal bytes. */
export const TEST_TRAINED_AT = '2026-01-02T03:04:05.000Z';

export interface TrainedBundleInput {
  /** The fitted model (its owner frees it) or the bytes its `toBytes()` writes. */
  readonly model: TrainedModel | Uint8Array;
  /** The chosen candidate's name, also the leaderboard's one row. */
  readonly candidate: string;
  /** The chosen hyperparameters; default none. */
  readonly params?: Readonly<Record<string, BundleParamValue>>;
  readonly schema: DatasetSchema;
  readonly preprocessor: FittedPreprocessor;
  /** The training split: its raw features are profiled as the bundle's reference profile. */
  readonly train: { readonly features: Frame };
  /** The dataset the bundle names; default the schema's name. */
  readonly dataset?: string;
  /** Display names of label 0 and 1; default the schema's target labels. */
  readonly classLabels?: { readonly negative: string; readonly positive: string };
  /** The cross-validated score of the search, on `metric`; default mean 0.9, std 0.01. */
  readonly cv?: { readonly mean: number; readonly std: number };
  /** Default 'f1'. */
  readonly metric?: string;
  /** Default 'run-test'. */
  readonly runId?: string;
  /** ISO 8601; default `TEST_TRAINED_AT`. */
  readonly trainedAt?: string;
}

/**
 * A model bundle as the trainer leaves it for a model fitted in a test: the preprocessor, the reference
 * profile of the training features, the dataset and its schema's hash, the class labels, and a training
 * block of one search over 3 folds and one trial whose leaderboard holds the candidate alone.
 */
export function trainedBundle(input: TrainedBundleInput): ModelBundle {
  const { schema } = input;
  const cv = input.cv ?? { mean: 0.9, std: 0.01 };
  return buildBundle({
    model: input.model,
    candidate: input.candidate,
    params: input.params ?? {},
    preprocessor: input.preprocessor,
    referenceProfile: profileFrame(input.train.features, schema),
    dataset: { name: input.dataset ?? schema.name, schemaSha256: schema.sha256 },
    classLabels: input.classLabels ?? {
      negative: schema.target.labels.negative,
      positive: schema.target.labels.positive,
    },
    training: {
      runId: input.runId ?? 'run-test',
      trainedAt: input.trainedAt ?? TEST_TRAINED_AT,
      metric: input.metric ?? 'f1',
      cvMean: cv.mean,
      cvStd: cv.std,
      folds: 3,
      trials: 1,
      leaderboard: [{ candidate: input.candidate, cvMean: cv.mean, cvStd: cv.std, trainSeconds: 1 }],
    },
  });
}
