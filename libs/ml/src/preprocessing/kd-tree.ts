import { PreprocessingError } from './errors';

/**
 * A k-d tree over row-major points (`points[i * dims + j]`), for exact k-nearest-neighbour search in
 * Euclidean distance. It is what keeps SMOTE, Tomek links and KNN imputation sub-quadratic: a full
 * distance matrix is O(n²) and dies at 100k rows.
 *
 * Build: split on the dimension of largest spread at the median (quickselect), O(n·d·log n). Every node
 * keeps its exact bounding box, so pruning is by true box distance and stays correct however ties split.
 * Ties between equally distant points are broken by the smaller point index, so results never depend on
 * the tree's shape. A node whose points all coincide (NSL-KDD has tens of thousands of identical rows) is
 * Besides the box, every node keeps a bounding ball (centroid, radius), as a ball tree does: in high
 * dimension (NSL-KDD one-hot: 121) a box is split along only ~log₂(n) of the dimensions and bounds little,
 * while the ball bound uses all of them. A node is pruned by the larger of the two lower bounds.
 * A node whose points all coincide is
 * a "uniform" leaf: its distance is computed once and its indices are scanned in ascending order with an
 * early stop, so duplicates do not make queries quadratic.
 */
export interface KdTree {
  readonly points: Float64Array;
  readonly dims: number;
  /** How many points the tree holds (the subset it was built over). */
  readonly size: number;
  /** The indexed points' indices into `points`, permuted so each node owns a contiguous range. */
  readonly order: Int32Array;
  readonly nodeStart: Int32Array;
  readonly nodeEnd: Int32Array;
  /** Child node ids; -1 for a leaf. */
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** 1 when every point of the leaf has the same coordinates. */
  readonly uniform: Uint8Array;
  /** Per node, per dimension: the bounding box (`nodes × dims`). */
  readonly boxLo: Float64Array;
  readonly boxHi: Float64Array;
  /** Per node: the centroid (`nodes × dims`) and the largest distance of a point from it. */
  readonly centroid: Float64Array;
  readonly radius: Float64Array;
}

export interface KdTreeOptions {
  /** Index only these rows of `points` (e.g. one class); default all rows. */
  readonly indices?: ArrayLike<number>;
  /** Largest non-uniform leaf; default 8 (measured best on NSL-KDD one-hot, 121 dims). */
  readonly leafSize?: number;
}

export interface KnnQueryOptions {
  /** A point index never to return (the query point itself). */
  readonly exclude?: number;
  /** Only dimensions whose flag is 1 count in the distance (used for rows with missing values). */
  readonly activeDims?: Uint8Array;
}

/** The k nearest points, nearest first; `sqDistances` are squared Euclidean distances. */
export interface Neighbours {
  readonly indices: Int32Array;
  readonly sqDistances: Float64Array;
}

export function buildKdTree(points: Float64Array, dims: number, options: KdTreeOptions = {}): KdTree {
  if (!Number.isInteger(dims) || dims < 1 || points.length % dims !== 0) {
    throw new PreprocessingError(
      'INVALID_ARGUMENT',
      `points length ${points.length} is not a multiple of ${dims}`,
    );
  }
  const leafSize = Math.max(1, options.leafSize ?? 8);
  const total = points.length / dims;
  const order = options.indices
    ? Int32Array.from(options.indices)
    : Int32Array.from({ length: total }, (_, i) => i);
  for (const i of order) {
    if (i < 0 || i >= total)
      throw new PreprocessingError('INVALID_ARGUMENT', `index ${i} outside 0..${total - 1}`);
  }
  for (let i = 0; i < points.length; i++) {
    if (Number.isNaN(points[i])) {
      throw new PreprocessingError('INVALID_ARGUMENT', 'kd-tree points must not contain NaN (impute first)');
    }
  }
  const m = order.length;
  // Balanced median splits give leaves of at least ⌊(leafSize+1)/2⌋ points, which bounds the node count.
  const minLeaf = Math.max(1, Math.floor((leafSize + 1) / 2));
  const maxNodes = 2 * (Math.floor(m / minLeaf) + 1);
  const nodeStart = new Int32Array(maxNodes);
  const nodeEnd = new Int32Array(maxNodes);
  const left = new Int32Array(maxNodes).fill(-1);
  const right = new Int32Array(maxNodes).fill(-1);
  const uniform = new Uint8Array(maxNodes);
  const boxLo = new Float64Array(maxNodes * dims);
  const boxHi = new Float64Array(maxNodes * dims);
  const centroid = new Float64Array(maxNodes * dims);
  const radius = new Float64Array(maxNodes);
  let nodes = 0;

  const build = (start: number, end: number): number => {
    const node = nodes++;
    nodeStart[node] = start;
    nodeEnd[node] = end;
    const base = node * dims;
    for (let j = 0; j < dims; j++) {
      boxLo[base + j] = Infinity;
      boxHi[base + j] = -Infinity;
    }
    for (let r = start; r < end; r++) {
      const p = order[r]! * dims;
      for (let j = 0; j < dims; j++) {
        const v = points[p + j]!;
        if (v < boxLo[base + j]!) boxLo[base + j] = v;
        if (v > boxHi[base + j]!) boxHi[base + j] = v;
      }
    }
    const count = end - start;
    for (let r = start; r < end; r++) {
      const p = order[r]! * dims;
      for (let j = 0; j < dims; j++) centroid[base + j] = centroid[base + j]! + points[p + j]!;
    }
    for (let j = 0; j < dims; j++) centroid[base + j] = centroid[base + j]! / count;
    let r2 = 0;
    for (let r = start; r < end; r++) {
      const p = order[r]! * dims;
      let s = 0;
      for (let j = 0; j < dims; j++) {
        const diff = points[p + j]! - centroid[base + j]!;
        s += diff * diff;
      }
      if (s > r2) r2 = s;
    }
    radius[node] = Math.sqrt(r2);
    let splitDim = -1;
    let spread = 0;
    for (let j = 0; j < dims; j++) {
      const s = boxHi[base + j]! - boxLo[base + j]!;
      if (s > spread) {
        spread = s;
        splitDim = j;
      }
    }
    if (splitDim < 0 || end - start <= leafSize) {
      uniform[node] = splitDim < 0 ? 1 : 0;
      // Ascending indices inside a leaf: the early stop in uniform leaves relies on it.
      order.subarray(start, end).sort();
      return node;
    }
    const mid = (start + end) >>> 1;
    select(points, dims, order, start, end - 1, mid, splitDim);
    left[node] = build(start, mid);
    right[node] = build(mid, end);
    return node;
  };
  if (m > 0) build(0, m);

  return {
    points,
    dims,
    size: m,
    order,
    nodeStart: nodeStart.slice(0, nodes),
    nodeEnd: nodeEnd.slice(0, nodes),
    left: left.slice(0, nodes),
    right: right.slice(0, nodes),
    uniform: uniform.slice(0, nodes),
    boxLo: boxLo.slice(0, nodes * dims),
    boxHi: boxHi.slice(0, nodes * dims),
    centroid: centroid.slice(0, nodes * dims),
    radius: radius.slice(0, nodes),
  };
}

/** Hoare-style quickselect on `order[lo..hi]` by coordinate `dim`, ties by index, so the result is deterministic. */
function select(
  points: Float64Array,
  dims: number,
  order: Int32Array,
  lo: number,
  hi: number,
  k: number,
  dim: number,
): void {
  const less = (a: number, b: number): boolean => {
    const va = points[a * dims + dim]!;
    const vb = points[b * dims + dim]!;
    return va < vb || (va === vb && a < b);
  };
  while (hi > lo) {
    // Median of three as the pivot keeps sorted inputs from degrading to O(n²).
    const m = (lo + hi) >>> 1;
    let a = order[lo]!;
    let b = order[m]!;
    let c = order[hi]!;
    if (less(b, a)) [a, b] = [b, a];
    if (less(c, b)) [b, c] = [c, b];
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

/** A bounded max-heap on (distance, index): the root is the current worst of the k best. */
export class NeighbourHeap {
  readonly d: Float64Array;
  readonly i: Int32Array;
  size = 0;

  constructor(readonly k: number) {
    this.d = new Float64Array(k);
    this.i = new Int32Array(k);
  }

  reset(): void {
    this.size = 0;
  }

  full(): boolean {
    return this.size === this.k;
  }

  /** Squared distance a candidate must not exceed to be considered (Infinity until full). */
  bound(): number {
    return this.size === this.k ? this.d[0]! : Infinity;
  }

  /** Whether (dist, idx) would enter; for a full heap it must beat the root. */
  accepts(dist: number, idx: number): boolean {
    if (this.size < this.k) return true;
    const rd = this.d[0]!;
    return dist < rd || (dist === rd && idx < this.i[0]!);
  }

  push(dist: number, idx: number): void {
    const { d, i } = this;
    if (this.size < this.k) {
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(dist, idx, d[p]!, i[p]!)) break;
        d[c] = d[p]!;
        i[c] = i[p]!;
        c = p;
      }
      d[c] = dist;
      i[c] = idx;
      return;
    }
    // Replace the root and sift down.
    let c = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= n) break;
      const r = l + 1;
      const w = r < n && worse(d[r]!, i[r]!, d[l]!, i[l]!) ? r : l;
      if (!worse(d[w]!, i[w]!, dist, idx)) break;
      d[c] = d[w]!;
      i[c] = i[w]!;
      c = w;
    }
    d[c] = dist;
    i[c] = idx;
  }

  /** Writes the heap's content nearest-first into the outputs (at `offset`); returns the count. */
  drain(outI: Int32Array, outD: Float64Array, offset: number): number {
    const n = this.size;
    const pairs: [number, number][] = [];
    for (let t = 0; t < n; t++) pairs.push([this.d[t]!, this.i[t]!]);
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let t = 0; t < n; t++) {
      outD[offset + t] = pairs[t]![0];
      outI[offset + t] = pairs[t]![1];
    }
    return n;
  }
}

function worse(da: number, ia: number, db: number, ib: number): boolean {
  return da > db || (da === db && ia > ib);
}

// Rounding in the centroid distance must never make the ball bound exceed a true distance (exact ties
// and duplicates are common): the bound is shrunk by a relative margin far above double rounding error.
const BALL_MARGIN = 1e-9;

/** A lower bound on the squared distance from the query to any point of the node: max(box, ball). */
function boxDistance(
  tree: KdTree,
  node: number,
  q: ArrayLike<number>,
  qOff: number,
  active: Uint8Array | undefined,
  bound: number,
): number {
  const { dims, boxLo, boxHi, centroid } = tree;
  const base = node * dims;
  let s = 0;
  let c = 0;
  for (let j = 0; j < dims; j++) {
    if (active && active[j] === 0) continue;
    const v = q[qOff + j]!;
    const lo = boxLo[base + j]!;
    let diff = 0;
    if (v < lo) diff = lo - v;
    else {
      const hi = boxHi[base + j]!;
      if (v > hi) diff = v - hi;
    }
    s += diff * diff;
    if (s > bound) return s;
    const dc = v - centroid[base + j]!;
    c += dc * dc;
  }
  const dc = Math.sqrt(c);
  const r = tree.radius[node]!;
  const gap = dc - r - BALL_MARGIN * (dc + r);
  const ball = gap > 0 ? gap * gap : 0;
  return ball > s ? ball : s;
}

function pointDistance(
  points: Float64Array,
  p: number,
  q: ArrayLike<number>,
  qOff: number,
  dims: number,
  active: Uint8Array | undefined,
  bound: number,
): number {
  let s = 0;
  for (let j = 0; j < dims; j++) {
    if (active && active[j] === 0) continue;
    const diff = points[p + j]! - q[qOff + j]!;
    s += diff * diff;
    if (s > bound) return s;
  }
  return s;
}

function search(
  tree: KdTree,
  q: ArrayLike<number>,
  qOff: number,
  heap: NeighbourHeap,
  exclude: number,
  active: Uint8Array | undefined,
): void {
  const { points, dims, order, nodeStart, nodeEnd, left, right, uniform } = tree;
  const visit = (node: number, nodeBoxDist: number): void => {
    if (nodeBoxDist > heap.bound()) return;
    const l = left[node]!;
    if (l < 0) {
      const start = nodeStart[node]!;
      const end = nodeEnd[node]!;
      if (uniform[node] === 1) {
        const dist = pointDistance(points, order[start]! * dims, q, qOff, dims, active, Infinity);
        for (let r = start; r < end; r++) {
          const idx = order[r]!;
          if (idx === exclude) continue;
          if (!heap.accepts(dist, idx)) break; // indices ascend: no later point can win a tie
          heap.push(dist, idx);
        }
        return;
      }
      for (let r = start; r < end; r++) {
        const idx = order[r]!;
        if (idx === exclude) continue;
        const dist = pointDistance(points, idx * dims, q, qOff, dims, active, heap.bound());
        if (heap.accepts(dist, idx)) heap.push(dist, idx);
      }
      return;
    }
    const r = right[node]!;
    const dl = boxDistance(tree, l, q, qOff, active, heap.bound());
    const dr = boxDistance(tree, r, q, qOff, active, heap.bound());
    if (dl <= dr) {
      visit(l, dl);
      visit(r, dr);
    } else {
      visit(r, dr);
      visit(l, dl);
    }
  };
  if (tree.size > 0) visit(0, boxDistance(tree, 0, q, qOff, active, Infinity));
}

/**
 * The k nearest indexed points to `query` (a point of `dims` coordinates at `queryOffset`), nearest first,
 * ties by smaller index. Fewer than k come back when the tree holds fewer points.
 */
export function kdTreeQuery(
  tree: KdTree,
  query: ArrayLike<number>,
  k: number,
  options: KnnQueryOptions & { readonly queryOffset?: number } = {},
): Neighbours {
  if (!Number.isInteger(k) || k < 1)
    throw new PreprocessingError('INVALID_ARGUMENT', `k must be a positive integer, got ${k}`);
  const heap = new NeighbourHeap(k);
  search(tree, query, options.queryOffset ?? 0, heap, options.exclude ?? -1, options.activeDims);
  const indices = new Int32Array(heap.size);
  const sqDistances = new Float64Array(heap.size);
  heap.drain(indices, sqDistances, 0);
  return { indices, sqDistances };
}

/**
 * For every indexed point (in the order of `options.indices` given at build, or 0..n-1), its k nearest
 * other indexed points: row-major `size × k` arrays of point indices and squared distances. Throws when
 * fewer than k + 1 points are indexed.
 */
export function kNearestOfEach(tree: KdTree, k: number, queryIndices?: ArrayLike<number>): Neighbours {
  if (!Number.isInteger(k) || k < 1)
    throw new PreprocessingError('INVALID_ARGUMENT', `k must be a positive integer, got ${k}`);
  if (tree.size < k + 1) {
    throw new PreprocessingError(
      'NOT_ENOUGH_SAMPLES',
      `need at least ${k + 1} points for ${k} neighbours, have ${tree.size}`,
    );
  }
  const queries = queryIndices ?? sortedCopy(tree.order);
  const n = queries.length;
  const indices = new Int32Array(n * k);
  const sqDistances = new Float64Array(n * k);
  const heap = new NeighbourHeap(k);
  for (let t = 0; t < n; t++) {
    const p = queries[t]!;
    heap.reset();
    search(tree, tree.points, p * tree.dims, heap, p, undefined);
    heap.drain(indices, sqDistances, t * k);
  }
  return { indices, sqDistances };
}

function sortedCopy(order: Int32Array): Int32Array {
  return order.slice().sort();
}

/** The O(n) reference search with the same tie-breaking, for tests and tiny inputs. */
export function bruteForceKnn(
  points: Float64Array,
  dims: number,
  query: ArrayLike<number>,
  k: number,
  options: KnnQueryOptions & { readonly indices?: ArrayLike<number> } = {},
): Neighbours {
  const total = points.length / dims;
  const candidates = options.indices ?? Int32Array.from({ length: total }, (_, i) => i);
  const scored: [number, number][] = [];
  for (let t = 0; t < candidates.length; t++) {
    const idx = candidates[t]!;
    if (idx === options.exclude) continue;
    scored.push([pointDistance(points, idx * dims, query, 0, dims, options.activeDims, Infinity), idx]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const top = scored.slice(0, k);
  return { indices: Int32Array.from(top, (s) => s[1]), sqDistances: Float64Array.from(top, (s) => s[0]) };
}
