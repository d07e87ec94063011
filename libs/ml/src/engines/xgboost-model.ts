import {
  checkLabels,
  checkSelection,
  EngineError,
  type Engine,
  type FeatureMatrix,
  type TrainedModel,
} from './engine';
import { encodeValue } from './missing';
import { packModel } from './model-bytes';
import { heapAllocF32, heapCopyBytes, loadXGBoostWasm, type XGBoostWasm } from './xgboost-wasm';

/** Hyperparameters, named as in this codebase; `toXGBoostParams` maps them to XGBoost's names. */
export interface XGBoostParams {
  /** Boosting rounds. */
  rounds: number;
  maxDepth: number;
  eta: number;
  subsample: number;
  colsampleByTree: number;
  colsampleByLevel: number;
  minChildWeight: number;
  lambda: number;
  alpha: number;
  gamma: number;
  scalePosWeight: number;
  /** `hist` is the fastest this 2017 build has (measured: 60k × 30, 100 rounds: hist 9–16 s, approx 28 s, exact 38 s). */
  treeMethod: 'hist' | 'approx' | 'exact';
  maxBin: number;
  /** > 1 grows a forest per round: with rounds 1, eta 1 and subsampling this is XGBoost's random-forest mode. */
  numParallelTree: number;
  seed: number;
}

export const XGBOOST_DEFAULTS: Readonly<XGBoostParams> = Object.freeze({
  rounds: 100,
  maxDepth: 6,
  eta: 0.3,
  subsample: 1,
  colsampleByTree: 1,
  colsampleByLevel: 1,
  minChildWeight: 1,
  lambda: 1,
  alpha: 0,
  gamma: 0,
  scalePosWeight: 1,
  treeMethod: 'hist',
  maxBin: 256,
  numParallelTree: 1,
  seed: 0,
});

export function toXGBoostParams(p: XGBoostParams): [string, string][] {
  return [
    ['objective', 'binary:logistic'],
    ['silent', '1'],
    ['max_depth', String(p.maxDepth)],
    ['eta', String(p.eta)],
    ['subsample', String(p.subsample)],
    ['colsample_bytree', String(p.colsampleByTree)],
    ['colsample_bylevel', String(p.colsampleByLevel)],
    ['min_child_weight', String(p.minChildWeight)],
    ['lambda', String(p.lambda)],
    ['alpha', String(p.alpha)],
    ['gamma', String(p.gamma)],
    ['scale_pos_weight', String(p.scalePosWeight)],
    ['tree_method', p.treeMethod],
    ['max_bin', String(p.maxBin)],
    ['num_parallel_tree', String(p.numParallelTree)],
    ['seed', String(p.seed)],
  ];
}

function checkParams(p: XGBoostParams): void {
  const bad = (what: string): never => {
    throw new EngineError('INVALID_INPUT', `xgboost: ${what}`);
  };
  if (!Number.isInteger(p.rounds) || p.rounds < 1) bad(`rounds must be a positive integer, got ${p.rounds}`);
  if (!Number.isInteger(p.maxDepth) || p.maxDepth < 1) bad(`maxDepth must be ≥ 1, got ${p.maxDepth}`);
  if (!(p.eta > 0 && p.eta <= 1)) bad(`eta must be in (0, 1], got ${p.eta}`);
  for (const k of ['subsample', 'colsampleByTree', 'colsampleByLevel'] as const) {
    if (!(p[k] > 0 && p[k] <= 1)) bad(`${k} must be in (0, 1], got ${p[k]}`);
  }
  if (!Number.isInteger(p.numParallelTree) || p.numParallelTree < 1) bad('numParallelTree must be ≥ 1');
}

/**
 * Writes X, encoded (see missing.ts), straight into a heap buffer: no intermediate Float32Array copy of a
 * matrix that may be hundreds of MB.
 */
function copyEncoded(wasm: XGBoostWasm, X: FeatureMatrix, ptr: number, from: number, n: number): void {
  const heap = wasm.HEAPF32;
  const base = ptr >> 2;
  for (let i = 0; i < n; i++) {
    const v = X[from + i]!;
    if (v === Infinity || v === -Infinity) {
      throw new EngineError('INVALID_INPUT', `infinite value at flat index ${from + i}`);
    }
    heap[base + i] = encodeValue(v);
  }
}

/**
 * P(positive) of the given rows (all rows, or every `stride`-th; of `select` when given) with the engine's model `handle`. One row
 * buffer and one output buffer, reused for every row: the engine has no batch entry point.
 */
function predictRows(
  wasm: XGBoostWasm,
  handle: number,
  X: FeatureMatrix,
  rows: number,
  cols: number,
  stride = 1,
  select?: Int32Array,
): Float64Array {
  const out = new Float64Array(Math.ceil(rows / stride));
  const rowPtr = heapAllocF32(wasm, cols);
  const outPtr = heapAllocF32(wasm, 4);
  try {
    for (let r = 0, o = 0; r < rows; r += stride, o++) {
      copyEncoded(wasm, X, rowPtr, (select ? select[r]! : r) * cols, cols);
      const n = wasm._predict_one(handle, rowPtr, cols, outPtr);
      if (n !== 1) throw new EngineError('PREDICT_FAILED', `engine returned ${n} outputs for a binary model`);
      out[o] = wasm.HEAPF32[outPtr >> 2]!;
    }
  } finally {
    wasm._free(rowPtr);
    wasm._free(outPtr);
  }
  return out;
}

// The safety net for models nobody freed: WASM heap memory is invisible to the GC, so without this a
// dropped model leaks for the life of the thread.
const finalizer = new FinalizationRegistry<{ wasm: XGBoostWasm; handle: number }>(({ wasm, handle }) => {
  wasm._free_memory_model(handle);
});

export class XGBoostModel implements TrainedModel {
  readonly kind = 'xgboost' as const;
  private handle: number;
  private readonly token = {};

  /** Use trainXGBoost / loadXGBoostModel; the handle must come from `_load_model` or `_create_model`. */
  constructor(
    private readonly wasm: XGBoostWasm,
    handle: number,
    readonly cols: number,
    readonly params: Readonly<XGBoostParams>,
  ) {
    this.handle = handle;
    finalizer.register(this, { wasm, handle }, this.token);
  }

  /** P(positive) of X's rows, or of the rows `select` of X (then `rows` = select.length): no gathered copy. */
  predictProba(X: FeatureMatrix, rows: number, cols: number, select?: Int32Array): Float64Array {
    const handle = this.live();
    checkSelection(X, rows, cols, select);
    if (cols !== this.cols) {
      throw new EngineError('INVALID_INPUT', `model has ${this.cols} features, input has ${cols}`);
    }
    return predictRows(this.wasm, handle, X, rows, cols, 1, select);
  }

  /** The engine's own binary booster, wrapped in the netsentry envelope. */
  toBytes(): Uint8Array {
    return packModel({ kind: 'xgboost', cols: this.cols, params: this.params }, this.rawBooster());
  }

  free(): void {
    if (this.handle === 0) return;
    finalizer.unregister(this.token);
    this.wasm._free_memory_model(this.handle);
    this.handle = 0;
  }

  /** The engine's serialised booster, without the envelope. */
  rawBooster(): Uint8Array {
    return saveBooster(this.wasm, this.live());
  }

  private live(): number {
    if (this.handle === 0) throw new EngineError('MODEL_FREED', 'model was freed');
    return this.handle;
  }
}

function saveBooster(wasm: XGBoostWasm, handle: number): Uint8Array {
  const size = wasm._save_model(handle);
  if (size <= 0) throw new EngineError('SAVE_FAILED', 'engine could not serialise the model');
  const ptr = wasm._malloc(size);
  try {
    wasm._get_file_content(ptr, size);
    return wasm.HEAPU8.slice(ptr, ptr + size);
  } finally {
    wasm._free(ptr);
  }
}

export function loadBooster(
  wasm: XGBoostWasm,
  booster: Uint8Array,
  cols: number,
  params: Readonly<XGBoostParams>,
): XGBoostModel {
  const ptr = heapCopyBytes(wasm, booster);
  let handle: number;
  try {
    handle = wasm._load_model(ptr, booster.length);
  } finally {
    wasm._free(ptr);
  }
  if (handle === 0) throw new EngineError('LOAD_FAILED', 'engine rejected the booster bytes');
  return new XGBoostModel(wasm, handle, cols, params);
}

/**
 * Trains a binary:logistic booster on X's rows, or on the rows `select` of X (then `rows` = select.length
 * and y holds the selected rows' labels): they are encoded straight into the engine's float32 input, with
 * no gathered float64 copy. Synchronous and CPU-bound (the engine is single-threaded WASM): run it in
 * the worker pool to keep a service responsive.
 */
export function trainXGBoost(
  wasm: XGBoostWasm,
  X: FeatureMatrix,
  y: Uint8Array,
  rows: number,
  cols: number,
  params: Partial<XGBoostParams> = {},
  earlyStopping?: XGBoostEarlyStopping,
  select?: Int32Array,
): XGBoostModel {
  checkSelection(X, rows, cols, select);
  checkLabels(y, rows);
  const p: XGBoostParams = { ...XGBOOST_DEFAULTS, ...params };
  checkParams(p);

  let dataPtr = 0;
  let labelPtr = 0;
  let training = 0;
  try {
    dataPtr = heapAllocF32(wasm, rows * cols);
    if (select) {
      for (let i = 0; i < rows; i++) copyEncoded(wasm, X, dataPtr + 4 * i * cols, select[i]! * cols, cols);
    } else copyEncoded(wasm, X, dataPtr, 0, rows * cols);
    labelPtr = heapAllocF32(wasm, rows);
    const labels = wasm.HEAPF32;
    for (let i = 0; i < rows; i++) labels[(labelPtr >> 2) + i] = y[i]!;
    training = wasm._create_model(dataPtr, labelPtr, rows, cols);
    if (training === 0) throw new EngineError('TRAIN_FAILED', 'engine could not build its DMatrix');
    // The DMatrix holds its own (sparse) copy: the dense input can go before training starts.
    wasm._free(dataPtr);
    dataPtr = 0;
    wasm._free(labelPtr);
    labelPtr = 0;
    for (const [k, v] of toXGBoostParams(p)) {
      wasm.ccall('set_param', null, ['number', 'string', 'string'], [training, k, v]);
    }
    if (!earlyStopping) {
      wasm._train_full_model(training, p.rounds);
      // Save and reload: this drops the training DMatrix (which the engine otherwise keeps for the model's
      // whole life) and guarantees the returned model is exactly what toBytes/load reproduce.
      return loadBooster(wasm, saveBooster(wasm, training), cols, p);
    }
    const best = boostWithEarlyStopping(wasm, training, p.rounds, cols, earlyStopping);
    return loadBooster(wasm, best.booster, cols, { ...p, rounds: best.rounds });
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError('TRAIN_FAILED', `xgboost training failed: ${String(e)}`);
  } finally {
    if (dataPtr !== 0) wasm._free(dataPtr);
    if (labelPtr !== 0) wasm._free(labelPtr);
    if (training !== 0) wasm._free_memory_model(training);
  }
}

/**
 * Early stopping on a validation set (e.g. the CV fold's validation part). The engine has no evaluation-set
 * API, so boosting runs in chunks of `every` rounds (`_train_full_model` adds rounds to the booster it is
 * given: n chunks of m rounds grow the same trees as one call of n·m rounds, tested) and after each chunk
 * the validation log loss is computed from the engine's own predictions. Training stops once `patience`
 * rounds have passed without a lower loss; the model returned is the booster as it was at its best check,
 * so it is exactly the model `rounds: bestRounds` trains.
 */
export interface XGBoostEarlyStopping {
  readonly X: FeatureMatrix;
  /** Labels of the validation rows (rows of them). */
  readonly y: Uint8Array;
  readonly rows: number;
  /** The validation rows as a selection of X (then rows = select.length). */
  readonly select?: Int32Array;
  /** Rounds without a lower validation log loss before training stops (XGBoost's early_stopping_rounds). */
  readonly patience: number;
  /** Rounds between two checks (default 10). */
  readonly every?: number;
  /** Score at most this many validation rows per check, every ⌈rows / maxRows⌉-th row (default 4,000). */
  readonly maxRows?: number;
}

function logLoss(y: Uint8Array, p: Float64Array, stride: number): number {
  let sum = 0;
  for (let o = 0; o < p.length; o++) {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, p[o]!));
    sum -= y[o * stride] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return sum / p.length;
}

function boostWithEarlyStopping(
  wasm: XGBoostWasm,
  training: number,
  rounds: number,
  cols: number,
  es: XGBoostEarlyStopping,
): { booster: Uint8Array; rounds: number } {
  checkSelection(es.X, es.rows, cols, es.select);
  if (es.y.length !== es.rows)
    throw new EngineError('INVALID_INPUT', `${es.y.length} labels for ${es.rows} rows`);
  if (!Number.isInteger(es.patience) || es.patience < 1) {
    throw new EngineError(
      'INVALID_INPUT',
      `xgboost: early-stopping patience must be ≥ 1, got ${es.patience}`,
    );
  }
  const every = Math.max(1, Math.floor(es.every ?? 10));
  const stride = Math.max(1, Math.ceil(es.rows / Math.max(1, es.maxRows ?? 4_000)));
  let bestLoss = Infinity;
  let bestRounds = 0;
  let booster: Uint8Array | undefined;
  for (let done = 0; done < rounds;) {
    const step = Math.min(every, rounds - done);
    wasm._train_full_model(training, step);
    done += step;
    const loss = logLoss(es.y, predictRows(wasm, training, es.X, es.rows, cols, stride, es.select), stride);
    if (loss < bestLoss) {
      bestLoss = loss;
      bestRounds = done;
      booster = saveBooster(wasm, training);
    } else if (done - bestRounds >= es.patience) {
      break;
    }
  }
  return { booster: booster!, rounds: bestRounds };
}

/** The XGBoost engine behind the common interface; resolves once the WASM module is ready. */
export async function xgboostEngine(): Promise<Engine<XGBoostParams>> {
  const wasm = await loadXGBoostWasm();
  return {
    kind: 'xgboost',
    defaults: XGBOOST_DEFAULTS,
    train: (X, y, rows, cols, params) => trainXGBoost(wasm, X, y, rows, cols, params),
  };
}

/** Rebuilds a model from `toBytes()` output (envelope already unpacked by models.ts). */
export async function loadXGBoostModel(
  booster: Uint8Array,
  cols: number,
  params: Readonly<XGBoostParams>,
): Promise<XGBoostModel> {
  return loadBooster(await loadXGBoostWasm(), booster, cols, params);
}
