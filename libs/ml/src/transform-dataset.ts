import type { DatasetSchema } from '@netsentry/dataset';
import type { LabelledFrame } from './frame';
import type { LabelledMatrix } from './matrix-file';
import type { WorkerPool } from './engines/worker-pool';
import { poolNeighbourSearch, poolTomekSearch } from './engines/worker-pool';
import { applyPreprocessorOnPool, type ProgressSink } from './on-pool';
import {
  applyPreprocessor,
  asTrainSplit,
  classCounts,
  decideResampling,
  DEFAULT_RESAMPLING_MAX_MINORITY_ROWS,
  DEFAULT_RESAMPLING_MIN_SHARE,
  fitPreprocessor,
  smoteTomek,
  smoteTomekWith,
  type FittedPreprocessor,
  type NeighbourSearch,
  type ResamplingDecision,
  type ResamplingSearch,
  type ResamplingPolicy,
} from './preprocessing';

export interface TransformSettings {
  readonly imputation: 'knn' | 'median';
  readonly knnK: number;
  /**
   * `auto`: SMOTE-Tomek only when the train split's minority share is below `resamplingMinShare` and its
   * minority has fewer than `resamplingMaxMinorityRows` rows.
   */
  readonly resampling: ResamplingPolicy;
  /** `auto`'s threshold (default DEFAULT_RESAMPLING_MIN_SHARE, 0.35). */
  readonly resamplingMinShare?: number;
  /** `auto` resamples only below this many minority rows (default DEFAULT_RESAMPLING_MAX_MINORITY_ROWS). */
  readonly resamplingMaxMinorityRows?: number;
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

/**
 * `transformDataset` with SMOTE-Tomek's searches done by `search` (e.g. `poolResamplingSearch`, on a worker
 * pool; a plain k-NN search finds the Tomek links from every row's 1-NN, the same rows, slower).
 */
export async function transformDatasetWith(
  schema: DatasetSchema,
  train: LabelledFrame,
  test: LabelledFrame,
  settings: TransformSettings,
  search: NeighbourSearch | ResamplingSearch,
): Promise<TransformResult> {
  const prepared = prepare(schema, train, test, settings);
  if (prepared.decision.method === 'none') return finish(prepared, null);
  return resample(prepared, settings, search);
}

/**
 * `transformDataset` with everything heavy on a worker pool, so the calling thread's event loop stays free
 * (health checks, metrics, Kafka heartbeats): the fit in one worker, the preprocessing of train and test
 * in chunks across the workers, SMOTE-Tomek's neighbour searches split across them. The same result as
 * `transformDataset`. `progress` gets the phases `fit`, `encode` (train and test rows), and, when
 * resampling, `smote-neighbours` (minority queries) and `tomek-neighbours` (the Tomek search's query rows,
 * in shares of 5,000), each with its rows done; a phase is finished only when its work succeeded.
 */
export async function transformDatasetOnPool(
  schema: DatasetSchema,
  train: LabelledFrame,
  test: LabelledFrame,
  settings: TransformSettings,
  pool: WorkerPool,
  progress?: ProgressSink,
): Promise<TransformResult> {
  const fitting = progress?.phase('fit', train.features.rows);
  const { preprocessor } = await pool.fitPreprocessor({
    train,
    schema,
    options: { imputation: settings.imputation, k: settings.knnK, seed: settings.seed },
  });
  fitting?.finish();
  const total = train.features.rows + test.features.rows;
  const encoding = progress?.phase('encode', total);
  let trainDone = 0;
  let testDone = 0;
  const report = (): void => encoding?.update(trainDone + testDone);
  const [trainX, testX] = await Promise.all([
    applyPreprocessorOnPool(pool, preprocessor, train.features, {
      onRows: (d) => ((trainDone = d), report()),
    }),
    applyPreprocessorOnPool(pool, preprocessor, test.features, {
      onRows: (d) => ((testDone = d), report()),
    }),
  ]);
  encoding?.finish();
  const decision = policyFor(settings, train.labels);
  const prepared: Prepared = {
    preprocessor,
    trainX: { ...trainX, y: train.labels },
    test: { ...testX, y: test.labels },
    decision,
  };
  if (decision.method === 'none') return finish(prepared, null);
  // One progress phase per search, started when the search starts (its total is its query count) and
  // finished only when it succeeded: an aborted search must not log "done".
  const tracked = <R>(
    name: string,
    run: (onProgress: (done: number, total: number) => void) => Promise<R>,
  ) => {
    let tracker: ReturnType<ProgressSink['phase']> | undefined;
    return run((done, total) => {
      tracker ??= progress?.phase(name, total);
      tracker?.update(done);
    }).then((r) => {
      tracker?.finish();
      return r;
    });
  };
  const search: ResamplingSearch = {
    neighbours: (points, dims, k, indices) =>
      tracked('smote-neighbours', (onProgress) =>
        poolNeighbourSearch(pool, progress ? { onProgress } : {})(points, dims, k, indices),
      ),
    tomek: (points, labels, dims, hints) =>
      tracked('tomek-neighbours', (onProgress) =>
        poolTomekSearch(pool, progress ? { onProgress } : {})(points, labels, dims, hints),
      ),
  };
  return resample(prepared, settings, search);
}

function policyFor(settings: TransformSettings, labels: Uint8Array): ResamplingDecision {
  return decideResampling(
    settings.resampling,
    classCounts(labels),
    settings.resamplingMinShare ?? DEFAULT_RESAMPLING_MIN_SHARE,
    settings.resamplingMaxMinorityRows ?? DEFAULT_RESAMPLING_MAX_MINORITY_ROWS,
  );
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
  const decision = policyFor(settings, train.labels);
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
  search: NeighbourSearch | ResamplingSearch,
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
