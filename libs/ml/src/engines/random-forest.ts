import { seededRandom, type Random } from '../random';
import {
  checkLabels,
  checkSelection,
  EngineError,
  type Engine,
  type FeatureMatrix,
  type TrainedModel,
} from './engine';
import { packModel } from './model-bytes';

/**
 * A histogram random forest in plain TypeScript (Breiman's forest as scikit-learn grows it: bootstrap rows,
 * √d features tried per node, Gini, fully grown trees, leaf = class fraction, forest = mean of the trees).
 * Features are quantised once into ≤ 255 bins (bin 0 = missing), so finding a split costs O(rows in node)
 * per tried feature instead of a sort; see README.md for why this beat XGBoost's forest mode here.
 * Missing values (NaN) always go to the left child.
 */
export interface RandomForestParams {
  trees: number;
  /** 0 = grow until pure or too small to split. */
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Features tried per node; 0 = floor(√cols). */
  maxFeatures: number;
  /** Histogram bins for real values, at most 255. */
  maxBins: number;
  bootstrap: boolean;
  seed: number;
  /** Train only trees [firstTree, firstTree + trees) of a forest: lets workers grow disjoint parts of one seeded forest. */
  firstTree: number;
}

export const RANDOM_FOREST_DEFAULTS: Readonly<RandomForestParams> = Object.freeze({
  trees: 100,
  maxDepth: 0,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  maxFeatures: 0,
  maxBins: 255,
  bootstrap: true,
  seed: 0,
  firstTree: 0,
});

/** Rows sampled per feature to place bin edges: quantiles of 200k values are as good as of all of them. */
const EDGE_SAMPLE = 200_000;

interface Binned {
  /** Row-major bins: bins[i * cols + f]. A node's tried features of one row share a cache line. */
  readonly bins: Uint8Array;
  /**
   * The same bins column-major: binsByFeature[f * rows + i]. A big node's histogram is filled one feature
   * at a time from it (the rows ascending, so each column is walked forwards, one histogram in L1).
   */
  readonly binsByFeature: Uint8Array;
  /** Per feature, ascending upper edges: a value v falls in bin 1 + #(edges < v). */
  readonly edges: Float64Array[];
}

/**
 * Quantises the rows `sel` of X (all rows when null), in that order, into a rows × cols uint8 matrix: the
 * same bins as quantising a gathered copy of those rows, without the copy (a CV fold's training part is
 * a row selection of the shared training matrix).
 */
function binFeatures(
  X: FeatureMatrix,
  sel: Int32Array | null,
  rows: number,
  cols: number,
  maxBins: number,
  rnd: Random,
): Binned {
  const bins = new Uint8Array(rows * cols);
  const edges: Float64Array[] = [];
  // Sorted: the sample's values are sorted anyway, and ascending rows walk the matrix forwards.
  const sampleRows =
    rows <= EDGE_SAMPLE ? null : Uint32Array.from({ length: EDGE_SAMPLE }, () => rnd.int(rows)).sort();
  const sample = new Float64Array(sampleRows ? EDGE_SAMPLE : rows);
  // Row i of the job starts at X[base[i]].
  const base = new Float64Array(rows);
  for (let i = 0; i < rows; i++) base[i] = (sel ? sel[i]! : i) * cols;
  for (let f = 0; f < cols; f++) {
    let n = 0;
    if (sampleRows) {
      for (const i of sampleRows) {
        const v = X[base[i]! + f]!;
        if (v === v) sample[n++] = v;
      }
    } else {
      for (let i = 0; i < rows; i++) {
        const v = X[base[i]! + f]!;
        if (v === v) sample[n++] = v;
      }
    }
    const sorted = sample.subarray(0, n).sort();
    const unique: number[] = [];
    for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) unique.push(sorted[i]!);
    const e: number[] = [];
    if (unique.length <= maxBins) {
      // Few distinct values (the phishing features have 2–3): one bin each, edges halfway between.
      for (let i = 1; i < unique.length; i++) e.push((unique[i - 1]! + unique[i]!) / 2);
    } else {
      for (let q = 1; q < maxBins; q++) {
        const v = sorted[Math.floor((q * n) / maxBins)]!;
        if (e.length === 0 || v > e[e.length - 1]!) e.push(v);
      }
    }
    const fe = Float64Array.from(e);
    edges.push(fe);
    for (let i = 0; i < rows; i++) {
      const v = X[base[i]! + f]!;
      if (v !== v) continue; // bin 0: missing
      let lo = 0;
      let hi = fe.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (fe[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      bins[i * cols + f] = lo + 1;
    }
  }
  const binsByFeature = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let f = 0; f < cols; f++) binsByFeature[f * rows + i] = bins[o + f]!;
  }
  return { bins, binsByFeature, edges };
}

/**
 * All trees in one set of flat arrays (node ids are global). Internal node: feature ≥ 0, go left when
 * value ≤ threshold or missing. Leaf: feature = -1 and threshold holds P(positive).
 */
export interface Forest {
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
}

class NodeBuffer {
  feature: number[] = [];
  threshold: number[] = [];
  left: number[] = [];
  right: number[] = [];
  add(): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    return this.feature.length - 1;
  }
}

/** A node with at least rows / DENSE_NODE of the rows builds its histograms from the column-major bins. */
const DENSE_NODE = 8;

/** Per-tree seed: tree t of a forest is the same whichever worker grows it. */
function treeRandom(seed: number, t: number): Random {
  return seededRandom((Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(t + 1, 0x85ebca6b)) | 0);
}

function growTree(
  data: Binned,
  y: Uint8Array,
  rows: number,
  cols: number,
  p: RandomForestParams,
  rnd: Random,
  out: NodeBuffer,
): number {
  const { bins, binsByFeature, edges } = data;
  const counts = new Uint16Array(rows);
  if (p.bootstrap) for (let k = 0; k < rows; k++) counts[rnd.int(rows)]!++;
  else counts.fill(1);
  let active = 0;
  for (let i = 0; i < rows; i++) if (counts[i]! > 0) active++;
  // Rows of the bootstrap sample (each once, with its draw count as weight), kept in ascending row order
  // inside every node by a stable partition, so memory is walked forwards.
  const idx = new Uint32Array(active);
  const wt = new Int32Array(active);
  const yy = new Uint8Array(active);
  let totalW = 0;
  let totalP = 0;
  for (let i = 0, k = 0; i < rows; i++) {
    const c = counts[i]!;
    if (c > 0) {
      idx[k] = i;
      wt[k] = c;
      yy[k++] = y[i]!;
      totalW += c;
      totalP += c * y[i]!;
    }
  }
  const spareIdx = new Uint32Array(active);
  const spareWt = new Int32Array(active);
  const spareY = new Uint8Array(active);
  const mtry = p.maxFeatures > 0 ? Math.min(p.maxFeatures, cols) : Math.max(1, Math.floor(Math.sqrt(cols)));
  const maxDepth = p.maxDepth > 0 ? p.maxDepth : Number.POSITIVE_INFINITY;
  const features = Int32Array.from({ length: cols }, (_, i) => i);
  // Bootstrap weight per (tried feature k, bin b, class c) at hist[(k << 9) | (b << 1) | c]: one
  // read-modify-write per row and feature (a count and a positives array took two).
  const hist = new Int32Array(mtry * 512);
  const touched = new Uint8Array(mtry * 256);
  const nTouched = new Int32Array(mtry);
  const offset = new Int32Array(mtry);
  const order = new Uint8Array(256);
  const minLeaf = p.minSamplesLeaf;

  const root = out.add();
  // Explicit stack: [node, start, end, depth, weight, positives].
  const stack: number[] = [root, 0, active, 0, totalW, totalP];
  while (stack.length > 0) {
    const P = stack.pop()!;
    const W = stack.pop()!;
    const depth = stack.pop()!;
    const end = stack.pop()!;
    const start = stack.pop()!;
    const node = stack.pop()!;
    if (depth >= maxDepth || W < p.minSamplesSplit || W < 2 * minLeaf || P === 0 || P === W) {
      out.threshold[node] = P / W;
      continue;
    }
    let bestScore = (P * P + (W - P) * (W - P)) / W + 1e-9 * W;
    let bestF = -1;
    let bestBin = 0;
    let bestLW = 0;
    let bestLP = 0;
    // As scikit-learn: try mtry random features; only if none splits validly, draw the next mtry.
    for (let tried = 0; tried < cols && bestF < 0; tried += mtry) {
      const batch = Math.min(mtry, cols - tried);
      for (let k = 0; k < batch; k++) {
        const j = tried + k + rnd.int(cols - tried - k);
        const f = features[j]!;
        features[j] = features[tried + k]!;
        features[tried + k] = f;
        nTouched[k] = 0;
      }
      // One pass over the node's rows builds the histograms of all tried features. Small nodes track which
      // bins they touch (so scanning and clearing cost O(rows)); big ones skip that and walk all 256.
      if (end - start > 1024) {
        if ((end - start) * DENSE_NODE >= rows) {
          // A node holding a good share of the rows: column by column (sums are order-free: same histograms).
          for (let k = 0; k < batch; k++) {
            const col = features[tried + k]! * rows;
            const hk = k << 9;
            for (let s = start; s < end; s++)
              hist[hk | (binsByFeature[col + idx[s]!]! << 1) | yy[s]!]! += wt[s]!;
          }
        } else {
          for (let k = 0; k < batch; k++) offset[k] = features[tried + k]!;
          for (let s = start; s < end; s++) {
            const base = idx[s]! * cols;
            const wi = wt[s]!;
            const c = yy[s]!;
            for (let k = 0; k < batch; k++) hist[(k << 9) | (bins[base + offset[k]!]! << 1) | c]! += wi;
          }
        }
        for (let k = 0; k < batch; k++) {
          let m = 0;
          const hk = k << 9;
          for (let b = 0; b < 256; b++) {
            if ((hist[hk | (b << 1)]! | hist[hk | (b << 1) | 1]!) !== 0) touched[(k << 8) | m++] = b;
          }
          nTouched[k] = m;
        }
      } else {
        for (let k = 0; k < batch; k++) offset[k] = features[tried + k]!;
        for (let s = start; s < end; s++) {
          const base = idx[s]! * cols;
          const wi = wt[s]!;
          const c = yy[s]!;
          for (let k = 0; k < batch; k++) {
            const b = bins[base + offset[k]!]!;
            const h = (k << 9) | (b << 1);
            if ((hist[h]! | hist[h | 1]!) === 0) touched[(k << 8) | nTouched[k]!++] = b;
            hist[h | c]! += wi;
          }
        }
      }
      for (let k = 0; k < batch; k++) {
        const m = nTouched[k]!;
        const hb = k << 8;
        const hh = k << 9;
        if (m > 1) {
          // Occupied bins in ascending order: insertion-sort a few, walk the whole histogram for many.
          if (m <= 16) {
            for (let t = 0; t < m; t++) {
              const b = touched[hb | t]!;
              let q = t;
              while (q > 0 && order[q - 1]! > b) {
                order[q] = order[q - 1]!;
                q--;
              }
              order[q] = b;
            }
          } else {
            for (let b = 0, t = 0; t < m; b++) {
              if ((hist[hh | (b << 1)]! | hist[hh | (b << 1) | 1]!) !== 0) order[t++] = b;
            }
          }
          let lw = 0;
          let lp = 0;
          for (let t = 0; t < m - 1; t++) {
            const h = hh | (order[t]! << 1);
            const b = order[t]!;
            lw += hist[h]! + hist[h | 1]!;
            lp += hist[h | 1]!;
            const rw = W - lw;
            if (lw < minLeaf || rw < minLeaf) continue;
            const rp = P - lp;
            const score = (lp * lp + (lw - lp) * (lw - lp)) / lw + (rp * rp + (rw - rp) * (rw - rp)) / rw;
            if (score > bestScore) {
              bestScore = score;
              bestF = features[tried + k]!;
              bestBin = b;
              bestLW = lw;
              bestLP = lp;
            }
          }
        }
        for (let t = 0; t < m; t++) {
          const h = hh | (touched[hb | t]! << 1);
          hist[h] = 0;
          hist[h | 1] = 0;
        }
      }
    }
    if (bestF < 0) {
      out.threshold[node] = P / W;
      continue;
    }
    // Stable partition of [start, end): left rows stay in place, right rows go through the spare buffers.
    let a = start;
    let z = 0;
    for (let s = start; s < end; s++) {
      const i = idx[s]!;
      if (bins[i * cols + bestF]! <= bestBin) {
        idx[a] = i;
        wt[a] = wt[s]!;
        yy[a++] = yy[s]!;
      } else {
        spareIdx[z] = i;
        spareWt[z] = wt[s]!;
        spareY[z++] = yy[s]!;
      }
    }
    idx.set(spareIdx.subarray(0, z), a);
    wt.set(spareWt.subarray(0, z), a);
    yy.set(spareY.subarray(0, z), a);
    const l = out.add();
    const r = out.add();
    out.feature[node] = bestF;
    out.threshold[node] = bestBin === 0 ? Number.NEGATIVE_INFINITY : edges[bestF]![bestBin - 1]!;
    out.left[node] = l;
    out.right[node] = r;
    stack.push(r, a, end, depth + 1, W - bestLW, P - bestLP);
    stack.push(l, start, a, depth + 1, bestLW, bestLP);
  }
  return root;
}

export class RandomForestModel implements TrainedModel {
  readonly kind = 'random-forest' as const;

  constructor(
    readonly forest: Forest,
    readonly cols: number,
    readonly params: Readonly<RandomForestParams>,
  ) {}

  get trees(): number {
    return this.forest.roots.length;
  }

  /** P(positive) of X's rows, or of the rows `select` of X (then `rows` = select.length): no gathered copy. */
  predictProba(X: FeatureMatrix, rows: number, cols: number, select?: Int32Array): Float64Array {
    checkSelection(X, rows, cols, select);
    if (cols !== this.cols) {
      throw new EngineError('INVALID_INPUT', `model has ${this.cols} features, input has ${cols}`);
    }
    const { roots, feature, threshold, left, right } = this.forest;
    const out = new Float64Array(rows);
    // Trees outer, rows inner, in blocks: one tree's nodes and one block of rows stay in cache together
    // (row-outer walks every tree for every row and was measured 2–3× slower, memory-bound).
    const BLOCK = 2048;
    for (let r0 = 0; r0 < rows; r0 += BLOCK) {
      const r1 = Math.min(rows, r0 + BLOCK);
      for (let t = 0; t < roots.length; t++) {
        const root = roots[t]!;
        for (let r = r0; r < r1; r++) {
          const o = (select ? select[r]! : r) * cols;
          let n = root;
          let f = feature[n]!;
          while (f >= 0) {
            const v = X[o + f]!;
            n = v <= threshold[n]! || v !== v ? left[n]! : right[n]!;
            f = feature[n]!;
          }
          out[r]! += threshold[n]!;
        }
      }
    }
    for (let r = 0; r < rows; r++) out[r]! /= roots.length;
    return out;
  }

  /** Payload: u32 trees | u32 nodes | roots i32[] | feature i32[] | left i32[] | right i32[] | threshold f64[]. */
  toBytes(): Uint8Array {
    const { roots, feature, threshold, left, right } = this.forest;
    const n = feature.length;
    const t = roots.length;
    const buf = new ArrayBuffer(8 + 4 * t + 12 * n + 8 * n);
    const dv = new DataView(buf);
    dv.setUint32(0, t, true);
    dv.setUint32(4, n, true);
    let o = 8;
    for (const arr of [roots, feature, left, right]) {
      for (let i = 0; i < arr.length; i++, o += 4) dv.setInt32(o, arr[i]!, true);
    }
    for (let i = 0; i < n; i++, o += 8) dv.setFloat64(o, threshold[i]!, true);
    return packModel({ kind: 'random-forest', cols: this.cols, params: this.params }, new Uint8Array(buf));
  }

  /** Nothing native to release: the forest lives on the JS heap. */
  free(): void {}
}

export function decodeForest(payload: Uint8Array): Forest {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (payload.length < 8) throw new EngineError('LOAD_FAILED', 'random-forest payload too short');
  const t = dv.getUint32(0, true);
  const n = dv.getUint32(4, true);
  if (payload.length !== 8 + 4 * t + 20 * n)
    throw new EngineError('LOAD_FAILED', 'random-forest payload size');
  let o = 8;
  const ints = (len: number): Int32Array => {
    const a = new Int32Array(len);
    for (let i = 0; i < len; i++, o += 4) a[i] = dv.getInt32(o, true);
    return a;
  };
  const roots = ints(t);
  const feature = ints(n);
  const left = ints(n);
  const right = ints(n);
  const threshold = new Float64Array(n);
  for (let i = 0; i < n; i++, o += 8) threshold[i] = dv.getFloat64(o, true);
  return { roots, feature, threshold, left, right };
}

/** Joins forests grown on disjoint tree ranges (e.g. by two workers) into one model. */
export function mergeForests(models: readonly RandomForestModel[]): RandomForestModel {
  const first = models[0];
  if (!first) throw new EngineError('INVALID_INPUT', 'nothing to merge');
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const roots: number[] = [];
  for (const m of models) {
    if (m.cols !== first.cols) throw new EngineError('INVALID_INPUT', 'forests differ in feature count');
    const base = feature.length;
    const f = m.forest;
    for (const r of f.roots) roots.push(r + base);
    for (let i = 0; i < f.feature.length; i++) {
      feature.push(f.feature[i]!);
      threshold.push(f.threshold[i]!);
      left.push(f.left[i]! < 0 ? -1 : f.left[i]! + base);
      right.push(f.right[i]! < 0 ? -1 : f.right[i]! + base);
    }
  }
  const forest: Forest = {
    roots: Int32Array.from(roots),
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
  };
  return new RandomForestModel(forest, first.cols, { ...first.params, trees: roots.length, firstTree: 0 });
}

/**
 * Grows a forest on X's rows, or on the rows `select` of X (then `rows` = select.length and X, y hold all
 * of the matrix's rows): the same forest as on a gathered copy of those rows, without the copy.
 */
export function trainRandomForest(
  X: FeatureMatrix,
  y: Uint8Array,
  rows: number,
  cols: number,
  params: Partial<RandomForestParams> = {},
  select?: Int32Array,
): RandomForestModel {
  let labels = y;
  checkSelection(X, rows, cols, select);
  if (select) {
    const all = X.length / cols;
    if (y.length !== all) throw new EngineError('INVALID_INPUT', `${y.length} labels for ${all} rows`);
    labels = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) labels[i] = y[select[i]!]!;
  }
  checkLabels(labels, rows);
  const p: RandomForestParams = { ...RANDOM_FOREST_DEFAULTS, ...params };
  if (!Number.isInteger(p.trees) || p.trees < 1) throw new EngineError('INVALID_INPUT', 'trees must be ≥ 1');
  if (!(p.maxBins >= 2 && p.maxBins <= 255))
    throw new EngineError('INVALID_INPUT', 'maxBins must be in [2, 255]');
  for (let i = 0; i < rows; i++) {
    const o = (select ? select[i]! : i) * cols;
    for (let f = 0; f < cols; f++) {
      const v = X[o + f]!;
      if (v === Infinity || v === -Infinity)
        throw new EngineError('INVALID_INPUT', `infinite value at flat index ${o + f}`);
    }
  }
  // Bin edges depend on the seed only, so every worker growing part of a forest bins identically.
  const data = binFeatures(X, select ?? null, rows, cols, p.maxBins, seededRandom(p.seed));
  const nodes = new NodeBuffer();
  const roots: number[] = [];
  for (let t = p.firstTree; t < p.firstTree + p.trees; t++) {
    roots.push(growTree(data, labels, rows, cols, p, treeRandom(p.seed, t), nodes));
  }
  const forest: Forest = {
    roots: Int32Array.from(roots),
    feature: Int32Array.from(nodes.feature),
    threshold: Float64Array.from(nodes.threshold),
    left: Int32Array.from(nodes.left),
    right: Int32Array.from(nodes.right),
  };
  return new RandomForestModel(forest, cols, p);
}

export const randomForestEngine: Engine<RandomForestParams> = {
  kind: 'random-forest',
  defaults: RANDOM_FOREST_DEFAULTS,
  train: trainRandomForest,
};
