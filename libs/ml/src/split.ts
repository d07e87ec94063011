import type { FeatureMatrix } from './engines/engine';
import { seededRandom } from './random';

export interface SplitOptions {
  /** Binary labels, one per row. */
  readonly labels: Uint8Array;
  /** Share of rows for the test side, in (0, 1). */
  readonly testRatio: number;
  readonly seed: number;
  /** Keep each class's share the same on both sides. */
  readonly stratified: boolean;
  /**
   * Optional group id per row (e.g. the id of its exact feature vector): rows of one group always land on
   * the same side, so an exact duplicate of a test row is never in train.
   */
  readonly groups?: Uint32Array;
}

/**
 * Assigns every row to train (0) or test (1), reproducibly from the seed. Stratified: per class, the
 * shuffled rows (or groups, labelled by their majority class) fill the test side up to round(n_c × ratio).
 */
export function assignSplit(options: SplitOptions): Uint8Array {
  const { labels, testRatio, seed, stratified, groups } = options;
  if (!(testRatio > 0 && testRatio < 1))
    throw new RangeError(`testRatio must be in (0, 1), got ${testRatio}`);
  if (groups && groups.length !== labels.length) throw new RangeError('groups and labels differ in length');
  const n = labels.length;
  const random = seededRandom(seed);

  // Units are rows, or groups of rows; each unit has a size and a class.
  const unitOf = groups ?? Uint32Array.from({ length: n }, (_, i) => i);
  let units = 0;
  for (let i = 0; i < n; i++) units = Math.max(units, unitOf[i]! + 1);
  const size = new Uint32Array(units);
  const positives = new Uint32Array(units);
  for (let i = 0; i < n; i++) {
    size[unitOf[i]!]!++;
    if (labels[i] === 1) positives[unitOf[i]!]!++;
  }
  const classOf = (u: number): number => (stratified ? (positives[u]! * 2 >= size[u]! ? 1 : 0) : 0);

  const testUnit = new Uint8Array(units);
  for (const cls of stratified ? [0, 1] : [0]) {
    const members: number[] = [];
    let rows = 0;
    for (let u = 0; u < units; u++) {
      if (size[u]! > 0 && classOf(u) === cls) {
        members.push(u);
        rows += size[u]!;
      }
    }
    random.shuffle(members);
    const target = Math.round(rows * testRatio);
    let taken = 0;
    for (const u of members) {
      if (taken >= target) break;
      // A group that would overshoot by more than it helps stays in train.
      if (taken + size[u]! - target > target - taken) continue;
      testUnit[u] = 1;
      taken += size[u]!;
    }
  }
  const side = new Uint8Array(n);
  for (let i = 0; i < n; i++) side[i] = testUnit[unitOf[i]!]!;
  return side;
}

/** Rows `indices` of a row-major matrix, as a new matrix of the same type. */
export function takeMatrixRows<T extends FeatureMatrix>(X: T, cols: number, indices: ArrayLike<number>): T {
  const out = (
    X instanceof Float32Array
      ? new Float32Array(indices.length * cols)
      : new Float64Array(indices.length * cols)
  ) as T;
  for (let r = 0; r < indices.length; r++) {
    const from = indices[r]! * cols;
    out.set(X.subarray(from, from + cols), r * cols);
  }
  return out;
}

export function takeLabels(y: Uint8Array, indices: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(indices.length);
  for (let r = 0; r < indices.length; r++) out[r] = y[indices[r]!]!;
  return out;
}
