import { CodedError } from '@netsentry/contracts/coded-error';

/**
 * The contract every model engine meets, so the trainer can search over candidates without knowing which
 * library sits underneath. Inputs are row-major typed arrays (row i, column j at i * cols + j) with NaN for
 * a missing value; labels are 0/1 with 1 = positive (malicious).
 */
export type FeatureMatrix = Float32Array | Float64Array;

export type EngineKind = 'xgboost' | 'random-forest';

export type EngineErrorCode =
  | 'INVALID_INPUT'
  | 'WASM_LOAD_FAILED'
  | 'TRAIN_FAILED'
  | 'PREDICT_FAILED'
  | 'MODEL_FREED'
  | 'SAVE_FAILED'
  | 'LOAD_FAILED'
  | 'WORKER_FAILED'
  | 'POOL_CLOSED';

export class EngineError extends CodedError<EngineErrorCode> {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface TrainedModel {
  readonly kind: EngineKind;
  /** Number of feature columns the model was trained on; predictProba insists on the same. */
  readonly cols: number;
  /** Probability of the positive class for each row. */
  predictProba(X: FeatureMatrix, rows: number, cols: number): Float64Array;
  /** A self-describing byte form that `loadModel` (models.ts) turns back into an identical model. */
  toBytes(): Uint8Array;
  /** Releases native (WASM heap) memory now; the model is unusable afterwards. Idempotent. */
  free(): void;
}

export interface Engine<P> {
  readonly kind: EngineKind;
  readonly defaults: Readonly<P>;
  train(X: FeatureMatrix, y: Uint8Array, rows: number, cols: number, params?: Partial<P>): TrainedModel;
}

/** Shared argument checks, so every engine rejects the same bad input with the same error. */
export function checkMatrix(X: FeatureMatrix, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new EngineError('INVALID_INPUT', `rows and cols must be positive integers, got ${rows} × ${cols}`);
  }
  if (X.length !== rows * cols) {
    throw new EngineError('INVALID_INPUT', `matrix has ${X.length} values, expected ${rows} × ${cols}`);
  }
}

/**
 * Checks a row selection of X (`select`, then `rows` = select.length): every index a row of X.
 * Without one, X must hold exactly rows × cols values.
 */
export function checkSelection(X: FeatureMatrix, rows: number, cols: number, select?: Int32Array): void {
  if (!select) return checkMatrix(X, rows, cols);
  if (select.length !== rows) {
    throw new EngineError('INVALID_INPUT', `${select.length} selected rows, expected ${rows}`);
  }
  const all = X.length / cols;
  checkMatrix(X, all, cols);
  for (const r of select) {
    if (!(r >= 0 && r < all)) throw new EngineError('INVALID_INPUT', `selected row ${r} of ${all}`);
  }
}

export function checkLabels(y: Uint8Array, rows: number): void {
  if (y.length !== rows) throw new EngineError('INVALID_INPUT', `${y.length} labels for ${rows} rows`);
  let positives = 0;
  for (let i = 0; i < rows; i++) {
    const v = y[i]!;
    if (v > 1) throw new EngineError('INVALID_INPUT', `label ${v} at row ${i}: labels must be 0 or 1`);
    positives += v;
  }
  if (positives === 0 || positives === rows) {
    throw new EngineError('INVALID_INPUT', 'labels hold a single class: nothing to learn');
  }
}
