import { bruteForceKNearestOfEach, type PointMatrix } from './brute-knn';
import { PreprocessingError } from './errors';
import { principalDirections, selectByCoordinate, sparseDistance } from './projected-knn';

/**
 * The search behind Tomek links (decision 0100): for each row, whether its nearest neighbour is of the
 * other class, and which row that is — exactly what the 1-NN of every row gives for Tomek links, without
 * searching most rows' neighbourhoods in full.
 *
 * A row a can only be in a link when its nearest neighbour is of the other class. Any real same-class row
 * s gives an upper bound u = d(a, s) on a's nearest same-class distance; when no other-class row lies
 * within u, a's nearest neighbour is of its own class and a is in no link — exactly. So, per row:
 *
 * 1. u from a short nearest-first walk in the index of a's own class (at most `budget` exact distances);
 * 2. the nearest other-class row o within u, by an exact search in the other class's index started with u
 *    as its bound (it prunes well: on intrusion data most rows are far from the other class). None: done;
 * 3. otherwise one more search in a's own class, bounded by d(a, o): a same-class row that beats
 *    (d(a, o), o) means a's nearest neighbour is of its class; none means it is o.
 *
 * Both indexes are k-d trees over the rows' projections on the top principal directions (of all rows), as
 * in `projectedKNearestOfEach` (decision 0085), with the same rigorous rounding margins: a row is skipped
 * only when its projected lower bound still exceeds the bound, and only exact distances Σ (a_j − b_j)²
 * (in dimension order, from the rows' non-zeros: the dense sum's bits) are compared, ties by the smaller
 * index. So the answer is the naive search's whatever the budget, the projection or the split of the rows
 * into shares; the budget only changes the time.
 */

// Unit roundoff of float64.
const U = 2 ** -53;
const COMPONENTS = 16;
const LEAF_SIZE = 16;
/** Exact distances step 1 may spend on a row's upper bound. */
export const TOMEK_BOUND_BUDGET = 24;
/** "No row yet": larger than any row index, so a row at exactly the bound is still accepted. */
const NO_ROW = 0x7fffffff;

/** One class's rows in a k-d tree over their projections; every array in tree order. */
export interface TomekClassIndex {
  /** Row indices (into the matrix), in tree order. */
  readonly rows: Int32Array;
  /** Projections (`rows × p`) and their rounding-error bounds. */
  readonly z: Float64Array;
  readonly err: Float64Array;
  /** The rows, sparse: non-zeros in dimension order. */
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly vals: Float64Array;
  readonly nodeStart: Int32Array;
  readonly nodeEnd: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly maxErr: Float64Array;
}

/** Both classes' indexes over one labelled matrix: plain typed arrays (on SharedArrayBuffers if asked). */
export interface TomekIndex {
  readonly rows: number;
  readonly dims: number;
  readonly p: number;
  readonly labels: Uint8Array;
  /** Per row: its position in its class's tree order. */
  readonly position: Int32Array;
  readonly classes: readonly [TomekClassIndex, TomekClassIndex];
}

export interface TomekIndexOptions {
  /** Put every array on a SharedArrayBuffer, so that workers can search one index without copies. */
  readonly shared?: boolean;
  /** Principal directions projected on (default 16, at most `dims`). */
  readonly components?: number;
  /** Largest leaf (default 16). */
  readonly leafSize?: number;
}

interface Alloc {
  readonly f64: (n: number) => Float64Array;
  readonly i32: (n: number) => Int32Array;
  readonly u8: (n: number) => Uint8Array;
}

const plainAlloc: Alloc = {
  f64: (n) => new Float64Array(n),
  i32: (n) => new Int32Array(n),
  u8: (n) => new Uint8Array(n),
};
const sharedAlloc: Alloc = {
  f64: (n) => new Float64Array(new SharedArrayBuffer(n * 8)),
  i32: (n) => new Int32Array(new SharedArrayBuffer(n * 4)),
  u8: (n) => new Uint8Array(new SharedArrayBuffer(n)),
};

export function buildTomekIndex(
  points: PointMatrix,
  labels: Uint8Array,
  dims: number,
  options: TomekIndexOptions = {},
): TomekIndex {
  if (!Number.isInteger(dims) || dims < 1 || points.length !== labels.length * dims) {
    throw new PreprocessingError(
      'INVALID_ARGUMENT',
      `X has ${points.length} values, expected ${labels.length}×${dims}`,
    );
  }
  for (let i = 0; i < points.length; i++) {
    if (Number.isNaN(points[i]!))
      throw new PreprocessingError('INVALID_ARGUMENT', 'neighbour search points must not contain NaN');
  }
  const alloc = options.shared ? sharedAlloc : plainAlloc;
  const rows = labels.length;
  const p = Math.max(1, Math.min(dims, Math.floor(options.components ?? COMPONENTS)));
  const leafSize = Math.max(1, Math.floor(options.leafSize ?? LEAF_SIZE));
  const W = principalDirections(
    points,
    dims,
    Int32Array.from({ length: rows }, (_, i) => i),
    p,
  );
  const position = alloc.i32(rows);
  const byClass = [0, 1].map((c) => {
    const members: number[] = [];
    for (let i = 0; i < rows; i++) if (labels[i] === c) members.push(i);
    return buildClassIndex(points, dims, Int32Array.from(members), W, p, leafSize, position, alloc);
  });
  const sharedLabels = alloc.u8(rows);
  sharedLabels.set(labels);
  return {
    rows,
    dims,
    p,
    labels: sharedLabels,
    position,
    classes: [byClass[0]!, byClass[1]!],
  };
}

function buildClassIndex(
  points: PointMatrix,
  dims: number,
  members: Int32Array,
  W: Float64Array,
  p: number,
  leafSize: number,
  position: Int32Array,
  alloc: Alloc,
): TomekClassIndex {
  const m = members.length;
  // Projections in member order: |fl(w·x) − w·x| ≤ γ_d ‖w‖ ‖x‖, √p times that over p coordinates, doubled
  // (as in projected-knn.ts).
  const z0 = new Float64Array(m * p);
  const err0 = new Float64Array(m);
  const gamma = (dims * U) / (1 - dims * U);
  const errScale = 2 * Math.sqrt(p) * gamma;
  let nnz = 0;
  for (let t = 0; t < m; t++) {
    const base = members[t]! * dims;
    let n2 = 0;
    for (let c = 0; c < p; c++) z0[t * p + c] = 0;
    for (let j = 0; j < dims; j++) {
      const v = points[base + j]!;
      if (v === 0) continue;
      nnz++;
      n2 += v * v;
      for (let c = 0; c < p; c++) z0[t * p + c] = z0[t * p + c]! + W[c * dims + j]! * v;
    }
    err0[t] = errScale * Math.sqrt(n2);
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
  const sum = new Float64Array(p);
  const sum2 = new Float64Array(p);
  let nodes = 0;
  // An explicit stack: a class of 600k rows is ~17 levels deep, but no recursion limit to think about.
  const stack: number[] = [];
  const open = (start: number, end: number): number => {
    const node = nodes++;
    nodeStart[node] = start;
    nodeEnd[node] = end;
    stack.push(node);
    return node;
  };
  if (m > 0) open(0, m);
  while (stack.length > 0) {
    const node = stack.pop()!;
    const start = nodeStart[node]!;
    const end = nodeEnd[node]!;
    const b = node * p;
    // One pass: the box, and each coordinate's sum and sum of squares for the split.
    sum.fill(0);
    sum2.fill(0);
    for (let c = 0; c < p; c++) {
      lo[b + c] = Infinity;
      hi[b + c] = -Infinity;
    }
    let e = 0;
    for (let r = start; r < end; r++) {
      const t = order[r]!;
      const zt = t * p;
      for (let c = 0; c < p; c++) {
        const v = z0[zt + c]!;
        if (v < lo[b + c]!) lo[b + c] = v;
        if (v > hi[b + c]!) hi[b + c] = v;
        sum[c] = sum[c]! + v;
        sum2[c] = sum2[c]! + v * v;
      }
      if (err0[t]! > e) e = err0[t]!;
    }
    maxErr[node] = e;
    const n = end - start;
    if (n <= leafSize) continue;
    // Split on the coordinate of largest variance, not of largest range: on heavy-tailed columns a few
    // outliers make the range large where the rows themselves are close.
    let splitDim = -1;
    let spread = 0;
    for (let c = 0; c < p; c++) {
      if (!(hi[b + c]! > lo[b + c]!)) continue;
      const variance = sum2[c]! / n - (sum[c]! / n) * (sum[c]! / n);
      if (splitDim < 0 || variance > spread) {
        spread = variance;
        splitDim = c;
      }
    }
    if (splitDim < 0) continue;
    const mid = (start + end) >>> 1;
    selectByCoordinate(z0, p, order, start, end - 1, mid, splitDim);
    left[node] = open(start, mid);
    right[node] = open(mid, end);
  }
  const rows = alloc.i32(m);
  const z = alloc.f64(m * p);
  const err = alloc.f64(m);
  const rowPtr = alloc.i32(m + 1);
  const colIdx = alloc.i32(nnz);
  const vals = alloc.f64(nnz);
  for (let r = 0, q = 0; r < m; r++) {
    const t = order[r]!;
    const row = members[t]!;
    rows[r] = row;
    position[row] = r;
    z.set(z0.subarray(t * p, t * p + p), r * p);
    err[r] = err0[t]!;
    const base = row * dims;
    for (let j = 0; j < dims; j++) {
      const v = points[base + j]!;
      if (v !== 0) {
        colIdx[q] = j;
        vals[q++] = v;
      }
    }
    rowPtr[r + 1] = q;
  }
  const copy = <T extends Float64Array | Int32Array>(a: T, n: number, make: (n: number) => T): T => {
    const out = make(n);
    out.set(a.subarray(0, n));
    return out;
  };
  return {
    rows,
    z,
    err,
    rowPtr,
    colIdx,
    vals,
    nodeStart: copy(nodeStart, nodes, alloc.i32),
    nodeEnd: copy(nodeEnd, nodes, alloc.i32),
    left: copy(left, nodes, alloc.i32),
    right: copy(right, nodes, alloc.i32),
    lo: copy(lo, nodes * p, alloc.f64),
    hi: copy(hi, nodes * p, alloc.f64),
    maxErr: copy(maxErr, nodes, alloc.f64),
  };
}

/** What a share of the search found, and what it cost. */
export interface TomekShareResult {
  /** Per query row of the share: its nearest neighbour when that is of the other class, else -1. */
  readonly nearestOther: Int32Array;
  /** Query rows with an other-class row within their bound (they took step 3). */
  readonly boundary: number;
  /** Projected distances computed (rows looked at) and exact distances computed, over all steps. */
  readonly examined: number;
  readonly exact: number;
}

export interface TomekShareOptions {
  /** Rows step 1 may look at per query (default TOMEK_BOUND_BUDGET); only the time depends on it. */
  readonly budget?: number;
  /**
   * Per row of the matrix: a row of its class to start its bound from, or -1 (e.g. SMOTE's source rows of
   * a synthetic row); only the time depends on it.
   */
  readonly hints?: Int32Array;
  /** Called every `progressEvery` queries (default 1,000) with the queries of the share done so far. */
  readonly onRows?: (done: number) => void;
  readonly progressEvery?: number;
}

/**
 * Query rows `queries[start..end-1]`: whether each one's nearest neighbour (over all other rows, ties by
 * the smaller index) is of the other class, and if so which row it is.
 */
export function searchTomekShare(
  index: TomekIndex,
  queries: Int32Array,
  start: number,
  end: number,
  options: TomekShareOptions = {},
): TomekShareResult {
  checkRange(start, end, queries.length);
  const budget = Math.max(0, Math.floor(options.budget ?? TOMEK_BOUND_BUDGET));
  const every = Math.max(1, Math.floor(options.progressEvery ?? 1_000));
  const hints = options.hints;
  const searcher = new ClassSearcher(index);
  const nearestOther = new Int32Array(end - start).fill(-1);
  let boundary = 0;
  for (let q = start; q < end; q++) {
    const a = queries[q]!;
    if ((q - start) % every === 0 && q > start) options.onRows?.(q - start);
    const own = index.labels[a]!;
    const other = own === 1 ? 0 : 1;
    searcher.setQuery(a);
    // 1: an upper bound on the nearest same-class distance (a real row's exact distance, or Infinity),
    // from the hint if any, then a short walk in the own class's tree.
    const hint = hints ? hints[a]! : -1;
    if (hint >= 0 && hint !== a && index.labels[hint] === own) {
      searcher.search(own, searcher.distanceTo(hint), hint, false, budget);
    } else {
      searcher.search(own, Infinity, NO_ROW, false, budget);
    }
    const u = searcher.bestD;
    const s = searcher.bestI;
    // 2: the nearest other-class row within u (inclusive: a tie at u may still win by its index).
    searcher.search(other, u, NO_ROW, false, Infinity);
    if (searcher.bestI === NO_ROW) continue;
    boundary++;
    const dO = searcher.bestD;
    const o = searcher.bestI;
    // 3: does any same-class row beat (dO, o)? Step 1's row may already (a tie at dO with a smaller index).
    const beaten = (u === dO && s < o) || searcher.search(own, dO, o, true, Infinity);
    if (!beaten) nearestOther[q - start] = o;
  }
  options.onRows?.(end - start);
  return { nearestOther, boundary, examined: searcher.examined, exact: searcher.exact };
}

/**
 * For candidate pairs `(near[t], of[t])`, t in start..end-1, where near[t]'s nearest neighbour is known to
 * be of[t]: 1 when of[t]'s nearest neighbour is near[t] as well (a Tomek link), else 0.
 */
export function confirmTomekPairs(
  index: TomekIndex,
  of: Int32Array,
  near: Int32Array,
  start: number,
  end: number,
): Uint8Array {
  checkRange(start, end, Math.min(of.length, near.length));
  const searcher = new ClassSearcher(index);
  const out = new Uint8Array(end - start);
  for (let t = start; t < end; t++) {
    const b = near[t]!;
    const a = of[t]!;
    searcher.setQuery(b);
    const d = searcher.distanceTo(a);
    const own = index.labels[b]!;
    const beaten =
      searcher.search(own, d, a, true, Infinity) || searcher.search(own === 1 ? 0 : 1, d, a, true, Infinity);
    if (!beaten) out[t - start] = 1;
  }
  return out;
}

function checkRange(start: number, end: number, length: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > length || start > end) {
    throw new PreprocessingError('INVALID_ARGUMENT', `range ${start}..${end} outside 0..${length}`);
  }
}

/**
 * The rows of the class whose rows are queried (the other class's link members are found from them): the
 * given class, or else the smaller one (class 1 on a tie).
 */
export function tomekQueryRows(labels: Uint8Array, queryClass?: 0 | 1): Int32Array {
  let ones = 0;
  for (let i = 0; i < labels.length; i++) ones += labels[i]!;
  const c = queryClass ?? (ones <= labels.length - ones ? 1 : 0);
  const out = new Int32Array(c === 1 ? ones : labels.length - ones);
  for (let i = 0, t = 0; i < labels.length; i++) if (labels[i] === c) out[t++] = i;
  return out;
}

/** Rows in a Tomek link, from the query rows' `nearestOther` and which of those pairs were confirmed. */
export function linksFromPairs(
  rows: number,
  of: Int32Array,
  near: Int32Array,
  confirmed: Uint8Array,
): Uint8Array {
  const linked = new Uint8Array(rows);
  for (let t = 0; t < confirmed.length; t++) {
    if (confirmed[t] !== 1) continue;
    linked[of[t]!] = 1;
    linked[near[t]!] = 1;
  }
  return linked;
}

/** The candidate pairs: query rows whose nearest neighbour is of the other class, and that neighbour. */
export function candidatePairs(
  queries: Int32Array,
  nearestOther: Int32Array,
): { of: Int32Array; near: Int32Array } {
  const of: number[] = [];
  const near: number[] = [];
  for (let t = 0; t < queries.length; t++) {
    if (nearestOther[t]! < 0) continue;
    of.push(queries[t]!);
    near.push(nearestOther[t]!);
  }
  return { of: Int32Array.from(of), near: Int32Array.from(near) };
}

export interface TomekLinksOptions extends TomekShareOptions, TomekIndexOptions {
  /** Which class's rows are queried (default: the smaller class); only the time depends on it. */
  readonly queryClass?: 0 | 1;
}

/** Queries the probe runs, spread over the query rows. */
const PROBE_QUERIES = 64;

/**
 * Whether the class indexes prune on this matrix: a search of 64 query rows spread over them. Where they
 * look at more than 1/8 of all rows per query (dense data of high intrinsic dimension, where no bound
 * prunes), the blocked brute force's 1-NN of every row is faster; the links are the same either way.
 */
export function probeTomekIndex(
  index: TomekIndex,
  queries: Int32Array,
  hints?: Int32Array,
): { readonly examinedPerQuery: number; readonly prunes: boolean } {
  if (queries.length <= PROBE_QUERIES) return { examinedPerQuery: 0, prunes: true };
  const sample = Int32Array.from(
    { length: PROBE_QUERIES },
    (_, i) => queries[Math.floor((i * queries.length) / PROBE_QUERIES)]!,
  );
  const r = searchTomekShare(index, sample, 0, sample.length, hints ? { hints } : {});
  const examinedPerQuery = r.examined / PROBE_QUERIES;
  return { examinedPerQuery, prunes: examinedPerQuery <= index.rows / 8 };
}

/**
 * Tomek links of a labelled matrix in this thread, through the class indexes (or, where the probe says
 * they do not prune, the brute force's 1-NN of every row): 1 for every row that belongs to one.
 */
export function tomekLinksByClassIndex(
  points: PointMatrix,
  labels: Uint8Array,
  dims: number,
  options: TomekLinksOptions = {},
): Uint8Array {
  const index = buildTomekIndex(points, labels, dims, options);
  const queries = tomekQueryRows(labels, options.queryClass);
  if (!probeTomekIndex(index, queries, options.hints).prunes) {
    return linksFromNeighbours(labels, bruteForceKNearestOfEach(points, dims, 1).indices);
  }
  const { nearestOther } = searchTomekShare(index, queries, 0, queries.length, options);
  const { of, near } = candidatePairs(queries, nearestOther);
  return linksFromPairs(labels.length, of, near, confirmTomekPairs(index, of, near, 0, of.length));
}

/** Rows in a Tomek link from every row's nearest neighbour: rows of different classes, each the other's. */
export function linksFromNeighbours(labels: Uint8Array, nn: Int32Array): Uint8Array {
  const rows = labels.length;
  const linked = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const j = nn[i]!;
    if (labels[j] !== labels[i] && nn[j] === i) linked[i] = 1;
  }
  return linked;
}

/** The class-index search's steps as worker jobs (see `poolTomekSearch` in engines/worker-pool.ts). */
export interface TomekIndexJob {
  readonly step: 'index';
  readonly points: PointMatrix;
  readonly labels: Uint8Array;
  readonly dims: number;
  readonly queryClass?: 0 | 1;
  readonly hints?: Int32Array;
}

export interface TomekIndexJobResult {
  readonly step: 'index';
  /** On SharedArrayBuffers: every search job reads this one copy. */
  readonly index: TomekIndex;
  readonly queries: Int32Array;
  readonly examinedPerQuery: number;
  readonly prunes: boolean;
  readonly tomekMs: number;
}

export interface TomekSearchJob {
  readonly step: 'search';
  readonly index: TomekIndex;
  readonly queries: Int32Array;
  readonly start: number;
  readonly end: number;
  readonly hints?: Int32Array;
}

export interface TomekSearchJobResult {
  readonly step: 'search';
  readonly nearestOther: Int32Array;
  readonly boundary: number;
  readonly examined: number;
  readonly tomekMs: number;
}

export interface TomekConfirmJob {
  readonly step: 'confirm';
  readonly index: TomekIndex;
  readonly of: Int32Array;
  readonly near: Int32Array;
  readonly start: number;
  readonly end: number;
}

export interface TomekConfirmJobResult {
  readonly step: 'confirm';
  readonly confirmed: Uint8Array;
  readonly tomekMs: number;
}

export type TomekJob = TomekIndexJob | TomekSearchJob | TomekConfirmJob;
export type TomekJobResult = TomekIndexJobResult | TomekSearchJobResult | TomekConfirmJobResult;

/** Runs one step of the class-index Tomek search in the current thread (a worker's side). */
export function runTomekJob(job: TomekIndexJob): TomekIndexJobResult;
export function runTomekJob(job: TomekSearchJob): TomekSearchJobResult;
export function runTomekJob(job: TomekConfirmJob): TomekConfirmJobResult;
export function runTomekJob(job: TomekJob): TomekJobResult;
export function runTomekJob(job: TomekJob): TomekJobResult {
  const started = performance.now();
  const ms = (): number => performance.now() - started;
  switch (job.step) {
    case 'index': {
      const index = buildTomekIndex(job.points, job.labels, job.dims, { shared: true });
      const own = tomekQueryRows(job.labels, job.queryClass);
      const queries = new Int32Array(new SharedArrayBuffer(own.byteLength));
      queries.set(own);
      const probe = probeTomekIndex(index, queries, job.hints);
      return { step: 'index', index, queries, ...probe, tomekMs: ms() };
    }
    case 'search': {
      const r = searchTomekShare(
        job.index,
        job.queries,
        job.start,
        job.end,
        job.hints ? { hints: job.hints } : {},
      );
      return { step: 'search', ...r, tomekMs: ms() };
    }
    case 'confirm':
      return {
        step: 'confirm',
        confirmed: confirmTomekPairs(job.index, job.of, job.near, job.start, job.end),
        tomekMs: ms(),
      };
  }
}

/**
 * Nearest-first searches in one class's tree for one query row, with a running best (bestD, bestI) that a
 * candidate must beat (a smaller distance, or the same and a smaller index).
 */
class ClassSearcher {
  bestD = Infinity;
  bestI = NO_ROW;
  examined = 0;
  exact = 0;
  private readonly zq: Float64Array;
  private query = 0;
  private qCol: Int32Array;
  private qVal: Float64Array;
  private qa = 0;
  private qb = 0;
  private qErr = 0;
  private stop = false;
  private firstBetter = false;
  private budget = Infinity;
  private spent = 0;
  private tree: TomekClassIndex;
  private readonly c1: number;
  private readonly c2: number;

  constructor(private readonly index: TomekIndex) {
    this.zq = new Float64Array(index.p);
    this.tree = index.classes[0];
    this.qCol = this.tree.colIdx;
    this.qVal = this.tree.vals;
    // Rounding margins as in projected-knn.ts: the projected sum over p terms within γ_{p+2}, the exact sum
    // over d terms within γ_{d+2}, both taken four times over.
    this.c1 = 1 - 4 * (index.p + 8) * U;
    this.c2 = 1 - 4 * (index.dims + 8) * U;
  }

  setQuery(row: number): void {
    const { index } = this;
    const own = index.classes[index.labels[row]!]!;
    const pos = index.position[row]!;
    const p = index.p;
    this.query = row;
    this.qCol = own.colIdx;
    this.qVal = own.vals;
    this.qa = own.rowPtr[pos]!;
    this.qb = own.rowPtr[pos + 1]!;
    this.qErr = own.err[pos]!;
    for (let c = 0; c < p; c++) this.zq[c] = own.z[pos * p + c]!;
  }

  /** The exact squared distance from the query to a row. */
  distanceTo(row: number): number {
    const { index } = this;
    const tree = index.classes[index.labels[row]!]!;
    const pos = index.position[row]!;
    this.exact++;
    return sparseDistance(
      this.qCol,
      this.qVal,
      this.qa,
      this.qb,
      tree.colIdx,
      tree.vals,
      tree.rowPtr[pos]!,
      tree.rowPtr[pos + 1]!,
      Infinity,
    );
  }

  /** Squared projected distance a candidate (or node) may have and still beat the bound; see projected-knn. */
  private threshold(bound: number, e: number): number {
    if (bound === Infinity) return Infinity;
    const r = (Math.sqrt(bound / this.c2) + e) / this.c1;
    return r * r * (1 + 64 * U);
  }

  /**
   * Searches class `c` starting from the best (d, i); `firstBetter`: stop at the first row that beats it;
   * `budget`: stop after that many exact distances. Leaves the best in bestD / bestI; true when improved.
   */
  search(c: number, d: number, i: number, firstBetter: boolean, budget: number): boolean {
    this.tree = this.index.classes[c]!;
    this.bestD = d;
    this.bestI = i;
    this.firstBetter = firstBetter;
    this.budget = budget;
    this.spent = 0;
    this.stop = false;
    if (this.tree.rows.length === 0 || budget <= 0) return false;
    this.visit(0, this.boxDistance(0));
    return this.bestI !== i || this.bestD !== d;
  }

  /** A lower bound on the squared projected distance to any row of the node: the box's. */
  private boxDistance(node: number): number {
    const { lo, hi } = this.tree;
    const p = this.index.p;
    const b = node * p;
    const zq = this.zq;
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
  }

  private visit(node: number, sBox: number): void {
    const tree = this.tree;
    if (sBox > this.threshold(this.bestD, this.qErr + tree.maxErr[node]!)) return;
    const l = tree.left[node]!;
    if (l < 0) {
      const { z, rows, rowPtr, colIdx, vals } = tree;
      const p = this.index.p;
      const zq = this.zq;
      const end = tree.nodeEnd[node]!;
      // One threshold for the leaf (its largest projection error), renewed when the best improves.
      const leafErr = this.qErr + tree.maxErr[node]!;
      let limit = this.threshold(this.bestD, leafErr);
      for (let r = tree.nodeStart[node]!; r < end; r++) {
        const zr = r * p;
        let s = 0;
        for (let c = 0; c < p; c++) {
          const diff = zq[c]! - z[zr + c]!;
          s += diff * diff;
        }
        this.examined++;
        if (++this.spent > this.budget) {
          this.stop = true;
          return;
        }
        if (s > limit) continue;
        const ri = rows[r]!;
        if (ri === this.query) continue;
        this.exact++;
        const dist = sparseDistance(
          this.qCol,
          this.qVal,
          this.qa,
          this.qb,
          colIdx,
          vals,
          rowPtr[r]!,
          rowPtr[r + 1]!,
          this.bestD,
        );
        if (dist < this.bestD || (dist === this.bestD && ri < this.bestI)) {
          this.bestD = dist;
          this.bestI = ri;
          limit = this.threshold(dist, leafErr);
          if (this.firstBetter) {
            this.stop = true;
            return;
          }
        }
      }
      return;
    }
    const rgt = tree.right[node]!;
    const sl = this.boxDistance(l);
    const sr = this.boxDistance(rgt);
    if (sl <= sr) {
      this.visit(l, sl);
      if (!this.stop) this.visit(rgt, sr);
    } else {
      this.visit(rgt, sr);
      if (!this.stop) this.visit(l, sl);
    }
  }
}

/**
 * Hints for `searchTomekShare` from SMOTE's synthetic rows (row `rows - synthetic + s` lies at step t on
 * the segment from `base[s]` to `neighbour[s]`, both of its class): a synthetic row's nearer source, and
 * for a source row its nearest synthetic row along a segment (smallest t, or 1 − t). -1 elsewhere.
 */
export function hintsFromSmote(
  rows: number,
  synthetic: { readonly base: Int32Array; readonly neighbour: Int32Array; readonly step: Float64Array },
): Int32Array {
  const hints = new Int32Array(rows).fill(-1);
  const closest = new Float64Array(rows).fill(Infinity);
  const first = rows - synthetic.base.length;
  for (let s = 0; s < synthetic.base.length; s++) {
    const row = first + s;
    const t = synthetic.step[s]!;
    const a = synthetic.base[s]!;
    const b = synthetic.neighbour[s]!;
    hints[row] = t <= 0.5 ? a : b;
    if (t < closest[a]!) {
      closest[a] = t;
      hints[a] = row;
    }
    if (1 - t < closest[b]!) {
      closest[b] = 1 - t;
      hints[b] = row;
    }
  }
  return hints;
}
