import { classCounts, type ClassCounts } from './class-counts';
import { PreprocessingError } from './errors';
import { kNearestNeighbours, type NeighbourMethod, type NeighbourSearch } from './neighbours';
import { nudgeMissingSentinel } from './missing-sentinel';
import { seededRandom } from '../random';

/**
 * SMOTE as imbalanced-learn's `SMOTE(k_neighbors=k, sampling_strategy='auto')` for a binary target: the
 * minority class is oversampled to the majority count. Each synthetic point is drawn as in imblearn: pick
 * uniformly one of the (minority point, one of its k nearest minority neighbours) pairs, then a uniform
 * step in [0, 1) along the segment: x + step · (neighbour − x). Neighbours are the exact k nearest minority
 * rows (self excluded, ties by index; `kNearestNeighbours`: k-d tree or blocked brute force). The random stream is this repo's seeded generator, so the
 * points differ from imblearn's for the same seed; the distribution is the same.
 */
export interface SmoteOptions {
  /** Number of columns of the row-major X. */
  readonly cols: number;
  readonly k?: number;
  readonly seed?: number;
  /** The neighbour search (default `auto`); every method gives the same neighbours. */
  readonly neighbours?: NeighbourMethod;
}

export interface SmoteResult {
  /** The original rows followed by the synthetic ones, row-major. */
  readonly X: Float64Array;
  readonly y: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  /** The oversampled class, or null when the classes were already balanced. */
  readonly minority: 0 | 1 | null;
  /** For synthetic row s (at rows - synthetic + s): the two source rows and the step. */
  readonly synthetic: {
    readonly base: Int32Array;
    readonly neighbour: Int32Array;
    readonly step: Float64Array;
  };
  readonly before: ClassCounts;
  readonly after: ClassCounts;
}

export function smote(X: Float64Array, y: Uint8Array, options: SmoteOptions): SmoteResult {
  const plan = planSmote(X, y, options);
  if (plan.minorityRows === null) return plan.balanced!;
  const nns = kNearestNeighbours(X, options.cols, plan.k, {
    indices: plan.minorityRows,
    method: options.neighbours ?? 'auto',
  }).indices;
  return synthesize(X, y, options, plan, nns);
}

/** SMOTE as `smote`, its neighbour search done by `search` (e.g. split across a worker pool). */
export async function smoteWith(
  X: Float64Array,
  y: Uint8Array,
  options: SmoteOptions,
  search: NeighbourSearch,
): Promise<SmoteResult> {
  const plan = planSmote(X, y, options);
  if (plan.minorityRows === null) return plan.balanced!;
  const nns = (await search(X, options.cols, plan.k, plan.minorityRows)).indices;
  return synthesize(X, y, options, plan, nns);
}

interface SmotePlan {
  readonly k: number;
  readonly before: ClassCounts;
  readonly minority: 0 | 1 | null;
  /** Null when the classes are balanced already (then `balanced` is the result). */
  readonly minorityRows: Int32Array | null;
  readonly balanced?: SmoteResult;
}

function planSmote(X: Float64Array, y: Uint8Array, options: SmoteOptions): SmotePlan {
  const { cols } = options;
  const k = options.k ?? 5;
  const rows = y.length;
  if (X.length !== rows * cols) {
    throw new PreprocessingError('INVALID_ARGUMENT', `X has ${X.length} values, expected ${rows}×${cols}`);
  }
  const before = classCounts(y);
  const minority: 0 | 1 | null =
    before.positive === before.negative ? null : before.positive < before.negative ? 1 : 0;
  if (minority === null) {
    const empty = { base: new Int32Array(0), neighbour: new Int32Array(0), step: new Float64Array(0) };
    const balanced = {
      X: X.slice(),
      y: y.slice(),
      rows,
      cols,
      minority,
      synthetic: empty,
      before,
      after: before,
    };
    return { k, before, minority, minorityRows: null, balanced };
  }
  const minorityRows: number[] = [];
  for (let i = 0; i < rows; i++) if (y[i] === minority) minorityRows.push(i);
  const nMin = minorityRows.length;
  if (nMin < k + 1) {
    throw new PreprocessingError(
      'NOT_ENOUGH_SAMPLES',
      `SMOTE with k=${k} needs at least ${k + 1} minority rows, have ${nMin}`,
    );
  }
  return { k, before, minority, minorityRows: Int32Array.from(minorityRows) };
}

function synthesize(
  X: Float64Array,
  y: Uint8Array,
  options: SmoteOptions,
  plan: SmotePlan,
  nns: Int32Array,
): SmoteResult {
  const { cols } = options;
  const { k, before } = plan;
  const minority = plan.minority!;
  const minorityRows = plan.minorityRows!;
  const rows = y.length;
  const nMin = minorityRows.length;
  const nNew = Math.abs(before.positive - before.negative);
  const outRows = rows + nNew;
  const out = new Float64Array(outRows * cols);
  out.set(X);
  const outY = new Uint8Array(outRows);
  outY.set(y);
  outY.fill(minority, rows);
  const base = new Int32Array(nNew);
  const neighbour = new Int32Array(nNew);
  const step = new Float64Array(nNew);
  const rng = seededRandom(options.seed ?? 0);
  for (let s = 0; s < nNew; s++) {
    const pick = rng.int(nMin * k);
    const row = Math.floor(pick / k);
    const a = minorityRows[row]!;
    const b = nns[pick]!;
    const t = rng.next();
    base[s] = a;
    neighbour[s] = b;
    step[s] = t;
    const o = (rows + s) * cols;
    for (let j = 0; j < cols; j++) {
      const xa = X[a * cols + j]!;
      out[o + j] = xa + t * (X[b * cols + j]! - xa);
    }
  }
  // Interpolation can land exactly on -1, which the XGBoost engine reads as missing: keep the guarantee.
  nudgeMissingSentinel(out.subarray(rows * cols));
  return {
    X: out,
    y: outY,
    rows: outRows,
    cols,
    minority,
    synthetic: { base, neighbour, step },
    before,
    after: classCounts(outY),
  };
}
