import { toShared } from '../engines/worker-pool';
import { seededRandom } from '../random';

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

/** One fold as matrices of its own: its training part and its validation part. */
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
 * One fold as row indices of shared matrices (`TrainJob.select`): the pool's jobs gather their rows
 * themselves, so no fold matrix need exist outside a job.
 */
export interface CvFold {
  readonly trainX: Float64Array;
  readonly trainY: Uint8Array;
  /** Rows of trainX / trainY trained on. */
  readonly train: Int32Array;
  readonly validX: Float64Array;
  readonly validY: Uint8Array;
  /** Rows of validX / validY validated on. */
  readonly valid: Int32Array;
}

export const toSharedInt32 = (a: Int32Array): Int32Array => {
  const out = new Int32Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
};

/**
 * The k folds of one shared matrix, as indices (fold f validates on the rows of fold f, trains on the rest).
 * With `subset`, foldOf[i] is the fold of row subset[i] of X and only those rows are in a fold.
 */
export function indexFolds(
  X: Float64Array,
  y: Uint8Array,
  rows: number,
  foldOf: Uint8Array,
  k: number,
  subset?: Int32Array,
): CvFold[] {
  const sharedX = toShared(X);
  const sharedY = toShared(y);
  const indices = (pick: (i: number) => boolean): Int32Array => {
    const out: number[] = [];
    for (let i = 0; i < rows; i++) if (pick(i)) out.push(subset ? subset[i]! : i);
    return toSharedInt32(Int32Array.from(out));
  };
  return Array.from({ length: k }, (_, f) => ({
    trainX: sharedX,
    trainY: sharedY,
    train: indices((i) => foldOf[i] !== f),
    validX: sharedX,
    validY: sharedY,
    valid: indices((i) => foldOf[i] === f),
  }));
}

/**
 * A nested, stratified, seeded share of `rows` (indices into a matrix with labels y): each class's rows in a
 * seeded order, the first ⌈fraction · n_c⌉ of each taken, returned in ascending order. A larger fraction
 * (same seed) takes a superset, so a promoted trial sees the rows it was scored on and more.
 */
export function nestedShare(rows: Int32Array, y: Uint8Array, fraction: number, seed: number): Int32Array {
  if (fraction >= 1) return rows;
  return sampleEachClass(rows, y, (_, count) => Math.ceil(fraction * count), seed);
}

/** Each class's rows shuffled by the seed, the first `take(class, count)` of each kept; ascending. */
function sampleEachClass(
  rows: Int32Array,
  y: Uint8Array,
  take: (cls: 0 | 1, count: number) => number,
  seed: number,
): Int32Array {
  const rnd = seededRandom(seed);
  const keep: number[] = [];
  for (const cls of [0, 1] as const) {
    const members: number[] = [];
    for (const r of rows) if (y[r] === cls) members.push(r);
    rnd.shuffle(members);
    // A loop, not push(...slice): spreading 100k+ arguments overflows the stack.
    const n = Math.min(members.length, take(cls, members.length));
    for (let i = 0; i < n; i++) keep.push(members[i]!);
  }
  return Int32Array.from(keep.sort((a, b) => a - b));
}

/**
 * Fold f's training and validation rows at a share of its rows (nested and stratified, the same for every
 * configuration scored at that share), the validation part at least `minValid` rows (all when it has
 * fewer); on shared buffers. At fraction 1 the fold itself.
 */
export function foldShare(fold: CvFold, f: number, fraction: number, seed: number, minValid: number): CvFold {
  if (fraction >= 1) return fold;
  const validFraction = Math.max(fraction, Math.min(1, minValid / fold.valid.length));
  const s = (seed ^ Math.imul(f + 1, 0x85ebca6b)) | 0;
  return {
    ...fold,
    train: toSharedInt32(nestedShare(fold.train, fold.trainY, fraction, s)),
    valid: toSharedInt32(nestedShare(fold.valid, fold.validY, validFraction, s ^ 0x5bd1e995)),
  };
}

/**
 * Exactly `max` of `rows` rows, stratified and seeded (the positives their rounded share of `max`, the
 * negatives the rest), ascending; null when rows ≤ max (use them all). The search's row cap: trials cross-validate on
 * this sample, the refit trains on every row.
 */
export function stratifiedSample(y: Uint8Array, rows: number, max: number, seed: number): Int32Array | null {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  if (rows <= max) return null;
  let positives = 0;
  for (let r = 0; r < rows; r++) positives += y[r] === 1 ? 1 : 0;
  // Exactly `max` rows: the positives their rounded share (at least one when there are any), the rest
  // negatives.
  const takePositive = Math.min(
    positives,
    Math.max(positives > 0 ? 1 : 0, Math.round((max * positives) / rows)),
  );
  return sampleEachClass(
    Int32Array.from({ length: rows }, (_, i) => i),
    y,
    (cls) => (cls === 1 ? takePositive : max - takePositive),
    (seed ^ 0x2c1b3c6d) | 0,
  );
}
