import { bruteForceKNearestOfEach, type PointMatrix } from './brute-knn';
import { projectedKNearestOfEach } from './projected-knn';
import { PreprocessingError } from './errors';
import { buildKdTree, kNearestOfEach, type Neighbours } from './kd-tree';

/**
 * Which exact k-nearest-neighbour search SMOTE and Tomek links use. All give the same neighbours (ties by
 * the smaller index); only the time differs. `auto`: the k-d tree up to 15 dimensions, above it the k-d
 * tree over the top principal components (`projected-tree`, decision 0085; it falls back to the blocked
 * brute force of decision 0050 where a probe shows its bounds prune poorly).
 */
export type NeighbourMethod = 'auto' | 'kd-tree' | 'brute-force' | 'projected-tree';

/** Dimensions from which `auto` leaves the plain k-d tree (for the projected tree; the name is 0050's). */
export const BRUTE_FORCE_MIN_DIMS = 16;

export function resolveNeighbourMethod(
  method: NeighbourMethod,
  dims: number,
): Exclude<NeighbourMethod, 'auto'> {
  if (method !== 'auto') return method;
  return dims >= BRUTE_FORCE_MIN_DIMS ? 'projected-tree' : 'kd-tree';
}

export interface NeighbourSearchOptions {
  /** The indexed points (references and queries), ascending; default all rows. */
  readonly indices?: ArrayLike<number>;
  readonly method?: NeighbourMethod;
  /** Query only positions queryStart..queryEnd-1 of the indexed points (a worker's share). */
  readonly queryStart?: number;
  readonly queryEnd?: number;
}

/**
 * For each queried indexed point, its k nearest other indexed points, nearest first, ties by the smaller
 * index: row-major `queries × k` arrays, in the order of the indexed points. In this thread.
 */
export function kNearestNeighbours(
  points: PointMatrix,
  dims: number,
  k: number,
  options: NeighbourSearchOptions = {},
): Neighbours {
  const method = resolveNeighbourMethod(options.method ?? 'auto', dims);
  const range = {
    ...(options.queryStart === undefined ? {} : { queryStart: options.queryStart }),
    ...(options.queryEnd === undefined ? {} : { queryEnd: options.queryEnd }),
  };
  if (method === 'projected-tree') {
    return projectedKNearestOfEach(points, dims, k, {
      ...(options.indices ? { indices: options.indices } : {}),
      ...range,
    });
  }
  if (method === 'brute-force') {
    return bruteForceKNearestOfEach(points, dims, k, {
      ...(options.indices ? { indices: options.indices } : {}),
      ...range,
    });
  }
  const f64 = points instanceof Float64Array ? points : Float64Array.from(points);
  const indices = options.indices ? Int32Array.from(options.indices) : undefined;
  const tree = buildKdTree(f64, dims, indices ? { indices } : {});
  const all = indices ?? Int32Array.from({ length: tree.size }, (_, i) => i);
  const qs = options.queryStart ?? 0;
  const qe = options.queryEnd ?? all.length;
  if (qs < 0 || qe > all.length || qs > qe) {
    throw new PreprocessingError('INVALID_ARGUMENT', `query range ${qs}..${qe} outside 0..${all.length}`);
  }
  return kNearestOfEach(tree, k, all.subarray(qs, qe));
}

/**
 * An exact k-NN search over every indexed point (the `kNearestNeighbours` result for all of them), maybe
 * run elsewhere: `localNeighbourSearch` in this thread, or `poolNeighbourSearch` split across a worker
 * pool's threads (the same result: the search is exact).
 */
export type NeighbourSearch = (
  points: PointMatrix,
  dims: number,
  k: number,
  indices?: Int32Array,
) => Promise<Neighbours>;

export function localNeighbourSearch(method: NeighbourMethod = 'auto'): NeighbourSearch {
  return (points, dims, k, indices) =>
    Promise.resolve(kNearestNeighbours(points, dims, k, { method, ...(indices ? { indices } : {}) }));
}
