import { PreprocessingError } from './errors';
import { NeighbourHeap, type Neighbours } from './kd-tree';

/** Row-major points as the preprocessing produces them (float32 is read exactly, computed in float64). */
export type PointMatrix = Float32Array | Float64Array;

export interface BruteForceKnnOptions {
  /** The indexed points (rows of `points`), both the references and the queries; default all rows. */
  readonly indices?: ArrayLike<number>;
  /**
   * Query only positions `queryStart..queryEnd-1` of the indexed points (all of them are still the
   * references): how one search is split across worker threads. Default: every indexed point.
   */
  readonly queryStart?: number;
  readonly queryEnd?: number;
  /** Queries per block (default 128). */
  readonly blockSize?: number;
}

// Unit roundoff of float64.
const U = 2 ** -53;

/**
 * For every queried indexed point, its k nearest other indexed points, exactly (the same indices and
 * squared distances as `bruteForceKnn` / the k-d tree: distance Σ (a_j − b_j)² summed in dimension order,
 * ties by the smaller index). Row-major `queries × k` arrays, in the order of the indexed points.
 *
 * Blocked brute force in the ‖q‖² + ‖r‖² − 2 q·r form: a block of queries is laid out dimension-major,
 * and every reference row — kept sparse (one-hot and robust-scaled columns are mostly zeros: NSL-KDD has 14
 * non-zeros in 125 columns) — adds its non-zeros times the block's columns into one dot product per query.
 * That form cancels badly when the norms are large next to the distance (heavy-tailed counts reach
 * ‖x‖² = 2.5·10¹³), so it only filters: a reference is dropped when its approximate distance, less a
 * rigorous rounding-error bound 4(d + 4)·u·(‖q‖ + ‖r‖)², still exceeds the query's current k-th best
 * exact distance; every reference that survives gets its exact distance, which alone ranks the heap. The
 * result is therefore exact whatever the order of the references, so it is the same for any split of
 * the queries (1 or n workers). Cost: O(queries × (references × non-zeros per row + survivors × d)).
 */
export function bruteForceKNearestOfEach(
  points: PointMatrix,
  dims: number,
  k: number,
  options: BruteForceKnnOptions = {},
): Neighbours {
  if (!Number.isInteger(dims) || dims < 1 || points.length % dims !== 0) {
    throw new PreprocessingError(
      'INVALID_ARGUMENT',
      `points length ${points.length} is not a multiple of ${dims}`,
    );
  }
  if (!Number.isInteger(k) || k < 1)
    throw new PreprocessingError('INVALID_ARGUMENT', `k must be a positive integer, got ${k}`);
  const total = points.length / dims;
  const idx = options.indices
    ? Int32Array.from(options.indices)
    : Int32Array.from({ length: total }, (_, i) => i);
  const m = idx.length;
  for (let t = 0; t < m; t++) {
    const i = idx[t]!;
    if (i < 0 || i >= total)
      throw new PreprocessingError('INVALID_ARGUMENT', `index ${i} outside 0..${total - 1}`);
  }
  if (m < k + 1) {
    throw new PreprocessingError(
      'NOT_ENOUGH_SAMPLES',
      `need at least ${k + 1} points for ${k} neighbours, have ${m}`,
    );
  }
  const qs = options.queryStart ?? 0;
  const qe = options.queryEnd ?? m;
  if (!Number.isInteger(qs) || !Number.isInteger(qe) || qs < 0 || qe > m || qs > qe) {
    throw new PreprocessingError('INVALID_ARGUMENT', `query range ${qs}..${qe} outside 0..${m}`);
  }
  const B = Math.max(1, Math.floor(options.blockSize ?? 128));

  // References: CSR rows (non-zeros in dimension order), squared norms and norms.
  let nnz = 0;
  for (let t = 0; t < m; t++) {
    const base = idx[t]! * dims;
    for (let j = 0; j < dims; j++) {
      const v = points[base + j]!;
      if (Number.isNaN(v))
        throw new PreprocessingError('INVALID_ARGUMENT', 'neighbour search points must not contain NaN');
      if (v !== 0) nnz++;
    }
  }
  const rowPtr = new Int32Array(m + 1);
  const colIdx = new Int32Array(nnz);
  const vals = new Float64Array(nnz);
  const norm2 = new Float64Array(m);
  const norm = new Float64Array(m);
  for (let t = 0, p = 0; t < m; t++) {
    const base = idx[t]! * dims;
    let s = 0;
    for (let j = 0; j < dims; j++) {
      const v = points[base + j]!;
      if (v !== 0) {
        colIdx[p] = j;
        vals[p++] = v;
        s += v * v;
      }
    }
    rowPtr[t + 1] = p;
    norm2[t] = s;
    norm[t] = Math.sqrt(s);
  }

  const margin = 4 * (dims + 4) * U;
  const queries = qe - qs;
  const outI = new Int32Array(queries * k);
  const outD = new Float64Array(queries * k);
  const Qt = new Float64Array(dims * B);
  const acc = new Float64Array(B);
  const bound = new Float64Array(B);
  const qNorm = new Float64Array(B);
  const qNorm2 = new Float64Array(B);
  const heaps = Array.from({ length: Math.min(B, Math.max(1, queries)) }, () => new NeighbourHeap(k));

  let b0 = qs;
  let bsz = 0;
  const scan = (r: number): void => {
    const rn2 = norm2[r]!;
    const rn = norm[r]!;
    for (let t = 0; t < bsz; t++) {
      const s = qNorm[t]! + rn;
      if (qNorm2[t]! + rn2 - 2 * acc[t]! - margin * s * s > bound[t]!) continue;
      admit(t, r);
    }
  };
  const admit = (t: number, r: number): void => {
    const qi = idx[b0 + t]!;
    const ri = idx[r]!;
    if (qi === ri) return;
    const heap = heaps[t]!;
    const dist = exactDistance(points, ri * dims, qi * dims, dims, bound[t]!);
    if (heap.accepts(dist, ri)) {
      heap.push(dist, ri);
      if (heap.full()) bound[t] = heap.bound();
    }
  };
  for (; b0 < qe; b0 += B) {
    bsz = Math.min(B, qe - b0);
    Qt.fill(0);
    for (let t = 0; t < bsz; t++) {
      const base = idx[b0 + t]! * dims;
      for (let j = 0; j < dims; j++) Qt[j * B + t] = points[base + j]!;
      heaps[t]!.reset();
      qNorm[t] = norm[b0 + t]!;
      qNorm2[t] = norm2[b0 + t]!;
      bound[t] = Infinity;
    }
    for (let r = 0; r < m; r++) {
      const p0 = rowPtr[r]!;
      const p1 = rowPtr[r + 1]!;
      // Eight queries at a time: each non-zero of the reference is loaded once for eight dot products.
      let t = 0;
      for (; t + 8 <= bsz; t += 8) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let a4 = 0;
        let a5 = 0;
        let a6 = 0;
        let a7 = 0;
        for (let p = p0; p < p1; p++) {
          const v = vals[p]!;
          const base = colIdx[p]! * B + t;
          a0 += v * Qt[base]!;
          a1 += v * Qt[base + 1]!;
          a2 += v * Qt[base + 2]!;
          a3 += v * Qt[base + 3]!;
          a4 += v * Qt[base + 4]!;
          a5 += v * Qt[base + 5]!;
          a6 += v * Qt[base + 6]!;
          a7 += v * Qt[base + 7]!;
        }
        acc[t] = a0;
        acc[t + 1] = a1;
        acc[t + 2] = a2;
        acc[t + 3] = a3;
        acc[t + 4] = a4;
        acc[t + 5] = a5;
        acc[t + 6] = a6;
        acc[t + 7] = a7;
      }
      for (; t < bsz; t++) {
        let a = 0;
        for (let p = p0; p < p1; p++) a += vals[p]! * Qt[colIdx[p]! * B + t]!;
        acc[t] = a;
      }
      scan(r);
    }
    for (let t = 0; t < bsz; t++) heaps[t]!.drain(outI, outD, (b0 - qs + t) * k);
  }
  return { indices: outI, sqDistances: outD };
}

/** Σ (p_j − q_j)² in dimension order, as the k-d tree and the naive search compute it; stops above `bound`. */
function exactDistance(points: PointMatrix, p: number, q: number, dims: number, bound: number): number {
  let s = 0;
  for (let j = 0; j < dims; j++) {
    const diff = points[p + j]! - points[q + j]!;
    s += diff * diff;
    if (s > bound) return s;
  }
  return s;
}
