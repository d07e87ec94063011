import { bruteForceKNearestOfEach, type PointMatrix } from './brute-knn';
import { PreprocessingError } from './errors';
import { NeighbourHeap, type Neighbours } from './kd-tree';
import { seededRandom } from '../random';

export interface ProjectedKnnOptions {
  /** The indexed points (rows of `points`), both the references and the queries; default all rows. */
  readonly indices?: ArrayLike<number>;
  /** Query only positions `queryStart..queryEnd-1` of the indexed points (a worker's share). */
  readonly queryStart?: number;
  readonly queryEnd?: number;
  /** Principal components projected on (default 16, at most `dims`). */
  readonly components?: number;
  /** Largest leaf of the tree over the projections (default 16). */
  readonly leafSize?: number;
  /**
   * Probe 64 of the queries first and switch to `bruteForceKNearestOfEach` when the projected bounds prune
   * poorly (default true; false forces the tree). Either way the neighbours are the same.
   */
  readonly probe?: boolean;
}

// Unit roundoff of float64.
const U = 2 ** -53;
/** Rows the covariance is estimated from (an even stride over the indexed points). */
const COVARIANCE_SAMPLE = 20_000;
const SUBSPACE_ITERATIONS = 24;
const PROBE_QUERIES = 64;

/**
 * For every queried indexed point, its k nearest other indexed points, exactly: the same indices and squared
 * distances as `bruteForceKNearestOfEach` and the naive search (Σ (a_j − b_j)² in dimension order, ties by
 * the smaller index), in the order of the indexed points.
 *
 * A lower-bound pruning index: every point is projected onto the top principal components (an orthonormal
 * W, p × d) and a k-d tree is built over the projections. An orthonormal projection never lengthens a
 * vector, so ‖Wa − Wb‖ ≤ ‖a − b‖: the tree is searched nearest-first in projected space and a node or a
 * point is skipped only when its projected lower bound — less rigorous margins for the rounding of the
 * projections (γ_d·‖x‖ per coordinate), of the projected sum and of the exact sum — still exceeds the
 * query's current k-th best exact distance. Every point that is not skipped gets its exact distance, which
 * alone ranks the heap; so the result does not depend on W, the tree or the order of the queries, and it
 * is the same for any split of the queries across workers. One-hot and robust-scaled intrusion data has a
 * low intrinsic dimension (NSL-KDD: with 16 of 125 components, a median of 2 points fall inside a query's
 * true nearest-neighbour distance), so most pairs are never computed. W only changes the time: it is
 * estimated from a strided sample of at most 20,000 rows by subspace iteration from a fixed seed.
 */
export function projectedKNearestOfEach(
  points: PointMatrix,
  dims: number,
  k: number,
  options: ProjectedKnnOptions = {},
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
  for (let t = 0; t < m; t++) {
    const base = idx[t]! * dims;
    for (let j = 0; j < dims; j++) {
      if (Number.isNaN(points[base + j]!))
        throw new PreprocessingError('INVALID_ARGUMENT', 'neighbour search points must not contain NaN');
    }
  }
  const p = Math.max(1, Math.min(dims, Math.floor(options.components ?? 16)));
  const W = principalDirections(points, dims, idx, p);
  const index = buildProjectedTree(points, dims, idx, W, p, Math.max(1, options.leafSize ?? 16));
  if (options.probe !== false && qe - qs > PROBE_QUERIES) {
    // A few queries spread over the share: when their bounds let through more than 1/16 of the points
    // (dense data of high intrinsic dimension), the blocked brute force is faster; the answer is the same.
    const probe = Int32Array.from(
      { length: PROBE_QUERIES },
      (_, i) => qs + Math.floor((i * (qe - qs)) / PROBE_QUERIES),
    );
    const examined = searchProjectedTree(points, dims, idx, index, k, probe).examined;
    if (examined / PROBE_QUERIES > m / 16) {
      return bruteForceKNearestOfEach(points, dims, k, { indices: idx, queryStart: qs, queryEnd: qe });
    }
  }
  const queries = Int32Array.from({ length: qe - qs }, (_, i) => qs + i);
  return searchProjectedTree(points, dims, idx, index, k, queries).neighbours;
}

/**
 * p orthonormal directions (rows of a p × d matrix), close to the top principal components of the indexed
 * points. Shrunk by 10⁻⁹ so that rounding in the orthonormalisation (≈ p·d·u) cannot make the projection
 * lengthen any vector.
 */
export function principalDirections(
  points: PointMatrix,
  dims: number,
  idx: Int32Array,
  p: number,
): Float64Array {
  const m = idx.length;
  const stride = Math.max(1, Math.ceil(m / COVARIANCE_SAMPLE));
  const mean = new Float64Array(dims);
  let count = 0;
  for (let t = 0; t < m; t += stride) {
    const base = idx[t]! * dims;
    for (let j = 0; j < dims; j++) mean[j] = mean[j]! + points[base + j]!;
    count++;
  }
  for (let j = 0; j < dims; j++) mean[j] = mean[j]! / count;
  // Covariance (upper triangle, then mirrored) from the sample; non-zeros only, centred afterwards.
  const C = new Float64Array(dims * dims);
  const nzCol = new Int32Array(dims);
  const nzVal = new Float64Array(dims);
  for (let t = 0; t < m; t += stride) {
    const base = idx[t]! * dims;
    let nz = 0;
    for (let j = 0; j < dims; j++) {
      const v = points[base + j]!;
      if (v !== 0) {
        nzCol[nz] = j;
        nzVal[nz++] = v;
      }
    }
    for (let a = 0; a < nz; a++) {
      const row = nzCol[a]! * dims;
      const va = nzVal[a]!;
      for (let b = a; b < nz; b++) C[row + nzCol[b]!] = C[row + nzCol[b]!]! + va * nzVal[b]!;
    }
  }
  for (let a = 0; a < dims; a++) {
    for (let b = a; b < dims; b++) {
      const v = C[a * dims + b]! / count - mean[a]! * mean[b]!;
      C[a * dims + b] = v;
      C[b * dims + a] = v;
    }
  }
  // Subspace iteration from a fixed random start: Q ← orth(C Q).
  const rng = seededRandom(0x5eed);
  let Q = new Float64Array(p * dims);
  for (let i = 0; i < Q.length; i++) Q[i] = rng.next() - 0.5;
  orthonormalise(Q, p, dims);
  const Y = new Float64Array(p * dims);
  for (let it = 0; it < SUBSPACE_ITERATIONS; it++) {
    Y.fill(0);
    for (let c = 0; c < p; c++) {
      const q = c * dims;
      for (let a = 0; a < dims; a++) {
        const row = a * dims;
        let s = 0;
        for (let b = 0; b < dims; b++) s += C[row + b]! * Q[q + b]!;
        Y[q + a] = s;
      }
    }
    Q = Y.slice();
    orthonormalise(Q, p, dims);
  }
  const shrink = 1 - 1e-9;
  for (let i = 0; i < Q.length; i++) Q[i] = Q[i]! * shrink;
  return Q;
}

/**
 * Modified Gram–Schmidt, twice, on the rows of a p × d matrix; a row that vanishes (a rank-deficient
 * covariance) is replaced by the next coordinate axis and orthonormalised again.
 */
function orthonormalise(Q: Float64Array, p: number, dims: number): void {
  let axis = 0;
  for (let c = 0; c < p; c++) {
    const row = c * dims;
    for (let attempt = 0; ; attempt++) {
      let before = 0;
      for (let j = 0; j < dims; j++) before += Q[row + j]! * Q[row + j]!;
      for (let pass = 0; pass < 2; pass++) {
        for (let e = 0; e < c; e++) {
          const other = e * dims;
          let dot = 0;
          for (let j = 0; j < dims; j++) dot += Q[row + j]! * Q[other + j]!;
          for (let j = 0; j < dims; j++) Q[row + j] = Q[row + j]! - dot * Q[other + j]!;
        }
      }
      let after = 0;
      for (let j = 0; j < dims; j++) after += Q[row + j]! * Q[row + j]!;
      if (after > 0 && after > before * 1e-16) {
        const inv = 1 / Math.sqrt(after);
        for (let j = 0; j < dims; j++) Q[row + j] = Q[row + j]! * inv;
        // Normalising again leaves the norm within a few u of 1.
        let n2 = 0;
        for (let j = 0; j < dims; j++) n2 += Q[row + j]! * Q[row + j]!;
        const inv2 = 1 / Math.sqrt(n2);
        for (let j = 0; j < dims; j++) Q[row + j] = Q[row + j]! * inv2;
        break;
      }
      if (attempt > dims) throw new PreprocessingError('INVALID_ARGUMENT', 'no orthonormal basis found');
      Q.fill(0, row, row + dims);
      Q[row + (axis++ % dims)] = 1;
    }
  }
}

interface ProjectedTree {
  readonly p: number;
  /** Positions (into the indexed points) in tree order; each node owns a contiguous range. */
  readonly order: Int32Array;
  /** Projections in indexed-point order (`m × p`) and in tree order. */
  readonly z: Float64Array;
  readonly zSorted: Float64Array;
  /** Per indexed point: the bound on the rounding error of its projection (Euclidean, over p coordinates). */
  readonly err: Float64Array;
  readonly errSorted: Float64Array;
  readonly nodeStart: Int32Array;
  readonly nodeEnd: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** Per node: the largest `err` of its points. */
  readonly maxErr: Float64Array;
  /** The indexed points' rows in tree order, sparse (non-zeros in dimension order), and their row indices. */
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly vals: Float64Array;
  readonly rowOf: Int32Array;
  /** Tree position of each indexed point. */
  readonly positionOf: Int32Array;
}

function buildProjectedTree(
  points: PointMatrix,
  dims: number,
  idx: Int32Array,
  W: Float64Array,
  p: number,
  leafSize: number,
): ProjectedTree {
  const m = idx.length;
  const z = new Float64Array(m * p);
  const err = new Float64Array(m);
  // |fl(w·x) − w·x| ≤ γ_n Σ|w_j x_j| ≤ γ_n ‖w‖ ‖x‖ with ‖w‖ < 1 and n ≤ d terms; over p coordinates √p
  // times that. Doubled, as for the norm's own rounding.
  const gamma = (dims * U) / (1 - dims * U);
  const errScale = 2 * Math.sqrt(p) * gamma;
  const nzCol = new Int32Array(dims);
  const nzVal = new Float64Array(dims);
  for (let t = 0; t < m; t++) {
    const base = idx[t]! * dims;
    let nz = 0;
    let n2 = 0;
    for (let j = 0; j < dims; j++) {
      const v = points[base + j]!;
      if (v !== 0) {
        nzCol[nz] = j;
        nzVal[nz++] = v;
        n2 += v * v;
      }
    }
    for (let c = 0; c < p; c++) {
      const w = c * dims;
      let s = 0;
      for (let a = 0; a < nz; a++) s += W[w + nzCol[a]!]! * nzVal[a]!;
      z[t * p + c] = s;
    }
    err[t] = errScale * Math.sqrt(n2);
  }

  const order = Int32Array.from({ length: m }, (_, i) => i);
  const minLeaf = Math.max(1, Math.floor((leafSize + 1) / 2));
  const maxNodes = 2 * (Math.floor(m / minLeaf) + 1);
  const nodeStart = new Int32Array(maxNodes);
  const nodeEnd = new Int32Array(maxNodes);
  const left = new Int32Array(maxNodes).fill(-1);
  const right = new Int32Array(maxNodes).fill(-1);
  const lo = new Float64Array(maxNodes * p);
  const hi = new Float64Array(maxNodes * p);
  const maxErr = new Float64Array(maxNodes);
  let nodes = 0;
  const build = (start: number, end: number): number => {
    const node = nodes++;
    nodeStart[node] = start;
    nodeEnd[node] = end;
    const b = node * p;
    for (let c = 0; c < p; c++) {
      lo[b + c] = Infinity;
      hi[b + c] = -Infinity;
    }
    let e = 0;
    for (let r = start; r < end; r++) {
      const t = order[r]!;
      const zt = t * p;
      for (let c = 0; c < p; c++) {
        const v = z[zt + c]!;
        if (v < lo[b + c]!) lo[b + c] = v;
        if (v > hi[b + c]!) hi[b + c] = v;
      }
      if (err[t]! > e) e = err[t]!;
    }
    maxErr[node] = e;
    let splitDim = -1;
    let spread = 0;
    for (let c = 0; c < p; c++) {
      const s = hi[b + c]! - lo[b + c]!;
      if (s > spread) {
        spread = s;
        splitDim = c;
      }
    }
    if (splitDim < 0 || end - start <= leafSize) return node;
    const mid = (start + end) >>> 1;
    selectByCoordinate(z, p, order, start, end - 1, mid, splitDim);
    left[node] = build(start, mid);
    right[node] = build(mid, end);
    return node;
  };
  build(0, m);
  const zSorted = new Float64Array(m * p);
  const errSorted = new Float64Array(m);
  const positionOf = new Int32Array(m);
  const rowOf = new Int32Array(m);
  const rowPtr = new Int32Array(m + 1);
  let nnz = 0;
  for (let r = 0; r < m; r++) {
    const t = order[r]!;
    zSorted.set(z.subarray(t * p, t * p + p), r * p);
    errSorted[r] = err[t]!;
    positionOf[t] = r;
    rowOf[r] = idx[t]!;
    const base = idx[t]! * dims;
    for (let j = 0; j < dims; j++) if (points[base + j]! !== 0) nnz++;
    rowPtr[r + 1] = nnz;
  }
  const colIdx = new Int32Array(nnz);
  const vals = new Float64Array(nnz);
  for (let r = 0, q = 0; r < m; r++) {
    const base = rowOf[r]! * dims;
    for (let j = 0; j < dims; j++) {
      const v = points[base + j]!;
      if (v !== 0) {
        colIdx[q] = j;
        vals[q++] = v;
      }
    }
  }
  return {
    rowPtr,
    colIdx,
    vals,
    rowOf,
    positionOf,
    p,
    order,
    z,
    zSorted,
    err,
    errSorted,
    nodeStart: nodeStart.slice(0, nodes),
    nodeEnd: nodeEnd.slice(0, nodes),
    left: left.slice(0, nodes),
    right: right.slice(0, nodes),
    lo: lo.slice(0, nodes * p),
    hi: hi.slice(0, nodes * p),
    maxErr: maxErr.slice(0, nodes),
  };
}

/** Quickselect on `order[lo..hi]` by projected coordinate `c`, ties by position. */
export function selectByCoordinate(
  z: Float64Array,
  p: number,
  order: Int32Array,
  lo: number,
  hi: number,
  k: number,
  c: number,
): void {
  const less = (a: number, b: number): boolean => {
    const va = z[a * p + c]!;
    const vb = z[b * p + c]!;
    return va < vb || (va === vb && a < b);
  };
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    let a = order[lo]!;
    let b = order[mid]!;
    let d = order[hi]!;
    if (less(b, a)) [a, b] = [b, a];
    if (less(d, b)) [b, d] = [d, b];
    if (less(b, a)) [a, b] = [b, a];
    const pivot = b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (less(order[i]!, pivot)) i++;
      while (less(pivot, order[j]!)) j--;
      if (i <= j) {
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function searchProjectedTree(
  points: PointMatrix,
  dims: number,
  idx: Int32Array,
  tree: ProjectedTree,
  k: number,
  queryPositions: Int32Array,
): { neighbours: Neighbours; examined: number } {
  const { p, z, zSorted, err, errSorted, nodeStart, nodeEnd, left, right, lo, hi, maxErr } = tree;
  const { rowPtr, colIdx, vals, rowOf, positionOf } = tree;
  // Rounding margins. The projected sum s = fl(Σ (z_a − z_b)²) over p terms is within γ_{p+2} of its
  // value; the exact sum over d terms within γ_{d+2}; both margins are taken four times over, which also
  // covers the square root and the products below. A candidate (or a node) is skipped only when
  //   (√s·c1 − E)² · c2 > bound,  i.e.  s > ((√(bound / c2) + E) / c1)²,
  // E the projection-error bounds of both sides; the threshold is rounded up by 64u to stay conservative.
  const c1 = 1 - 4 * (p + 8) * U;
  const c2 = 1 - 4 * (dims + 8) * U;
  const up = 1 + 64 * U;
  const threshold = (bound: number, e: number): number => {
    if (bound === Infinity) return Infinity;
    const r = (Math.sqrt(bound / c2) + e) / c1;
    return r * r * up;
  };

  const queries = queryPositions.length;
  let examined = 0;
  const outI = new Int32Array(queries * k);
  const outD = new Float64Array(queries * k);
  const heap = new NeighbourHeap(k);
  const zq = new Float64Array(p);
  let qi = 0;
  let qa = 0;
  let qb = 0;
  let qErr = 0;
  let bound = Infinity;

  const boxDistance = (node: number): number => {
    const b = node * p;
    let s = 0;
    for (let c = 0; c < p; c++) {
      const v = zq[c]!;
      const l = lo[b + c]!;
      if (v < l) {
        const diff = l - v;
        s += diff * diff;
      } else {
        const h = hi[b + c]!;
        if (v > h) {
          const diff = v - h;
          s += diff * diff;
        }
      }
    }
    return s;
  };

  const visit = (node: number, sBox: number): void => {
    if (sBox > threshold(bound, qErr + maxErr[node]!)) return;
    const l = left[node]!;
    if (l < 0) {
      const end = nodeEnd[node]!;
      for (let r = nodeStart[node]!; r < end; r++) {
        const zr = r * p;
        let s = 0;
        for (let c = 0; c < p; c++) {
          const diff = zq[c]! - zSorted[zr + c]!;
          s += diff * diff;
        }
        examined++;
        if (s > threshold(bound, qErr + errSorted[r]!)) continue;
        const ri = rowOf[r]!;
        if (ri === qi) continue;
        const dist = sparseDistance(colIdx, vals, rowPtr[r]!, rowPtr[r + 1]!, colIdx, vals, qa, qb, bound);
        if (heap.accepts(dist, ri)) {
          heap.push(dist, ri);
          if (heap.full()) bound = heap.bound();
        }
      }
      return;
    }
    const rgt = right[node]!;
    const sl = boxDistance(l);
    const sr = boxDistance(rgt);
    if (sl <= sr) {
      visit(l, sl);
      visit(rgt, sr);
    } else {
      visit(rgt, sr);
      visit(l, sl);
    }
  };

  for (let o = 0; o < queries; o++) {
    const t = queryPositions[o]!;
    qi = idx[t]!;
    qa = rowPtr[positionOf[t]!]!;
    qb = rowPtr[positionOf[t]! + 1]!;
    qErr = err[t]!;
    for (let c = 0; c < p; c++) zq[c] = z[t * p + c]!;
    heap.reset();
    bound = Infinity;
    visit(0, 0);
    heap.drain(outI, outD, o * k);
  }
  return { neighbours: { indices: outI, sqDistances: outD }, examined };
}

/**
 * Σ (a_j − b_j)² over two sparse rows (non-zeros a0..a1 of one CSR, b0..b1 of the same or another), in
 * dimension order: the same value, bit for bit, as the dense sum in dimension order (a column zero in both
 * adds exactly 0); stops above `bound`.
 */
export function sparseDistance(
  colA: Int32Array,
  valA: Float64Array,
  a0: number,
  a1: number,
  colB: Int32Array,
  valB: Float64Array,
  b0: number,
  b1: number,
  bound: number,
): number {
  let s = 0;
  let a = a0;
  let b = b0;
  while (a < a1 && b < b1) {
    const ca = colA[a]!;
    const cb = colB[b]!;
    let diff: number;
    if (ca === cb) diff = valA[a++]! - valB[b++]!;
    else if (ca < cb) diff = valA[a++]!;
    else diff = valB[b++]!;
    s += diff * diff;
    if (s > bound) return s;
  }
  while (a < a1) {
    const diff = valA[a++]!;
    s += diff * diff;
    if (s > bound) return s;
  }
  while (b < b1) {
    const diff = valB[b++]!;
    s += diff * diff;
    if (s > bound) return s;
  }
  return s;
}
