import { PreprocessingError } from './errors';
import {
  kNearestNeighbours,
  localNeighbourSearch,
  type NeighbourMethod,
  type NeighbourSearch,
} from './neighbours';
import { linksFromNeighbours, tomekLinksByClassIndex } from './tomek-search';

/**
 * Tomek links as imbalanced-learn's `TomekLinks`: rows a and b of different classes form a link when each
 * is the other's nearest neighbour. Nearest neighbours are exact, over all rows (self excluded, ties by the
 * smaller index; imblearn takes column 1 of a 2-NN query, which with exact duplicates may pick
 * differently). One pass, as imblearn: removing links can create new ones, which are left. Found by the
 * class-index search (`tomek-search.ts`, decision 0100) or from the 1-NN of every row: the same links.
 */

/** What the class-index search may use to go faster (never changes the links). */
export interface TomekHints {
  /** Per row: a row of its class, near it (e.g. `hintsFromSmote`), or -1. */
  readonly hints?: Int32Array;
  /** Which class's rows are queried (default: the smaller class): the SMOTE-grown one is the cheaper. */
  readonly queryClass?: 0 | 1;
}

/**
 * 1 for every row that belongs to a Tomek link. `auto` (default): the class-index search of decision 0100
 * (`tomekLinksByClassIndex`); any other method: the 1-NN of every row by that search (decision 0085 and
 * before). The same links either way.
 */
export function tomekLinks(
  X: Float64Array,
  y: Uint8Array,
  cols: number,
  method: NeighbourMethod = 'auto',
  hints: TomekHints = {},
): Uint8Array {
  checkShape(X, y, cols);
  if (y.length < 2) return new Uint8Array(y.length);
  if (method === 'auto') return tomekLinksByClassIndex(X, y, cols, hints);
  return linksFromNeighbours(y, kNearestNeighbours(X, cols, 1, { method }).indices);
}

/**
 * Tomek links computed elsewhere (e.g. `poolTomekSearch` on a worker pool): 1 for every row in a link.
 * `tomekSearchFromNeighbours` makes one from any k-NN search (the 1-NN of every row).
 */
export type TomekSearch = (
  points: Float64Array,
  labels: Uint8Array,
  dims: number,
  hints: TomekHints,
) => Promise<Uint8Array>;

/** The class-index search in this thread. */
export function localTomekSearch(): TomekSearch {
  return (points, labels, dims, hints) => Promise.resolve(tomekLinks(points, labels, dims, 'auto', hints));
}

/** Tomek links from the 1-NN of every row, found by `search` (how they were found before decision 0100). */
export function tomekSearchFromNeighbours(search: NeighbourSearch): TomekSearch {
  return async (points, labels, dims) => linksFromNeighbours(labels, (await search(points, dims, 1)).indices);
}

/**
 * Both searches SMOTE-Tomek needs, done elsewhere (e.g. `poolResamplingSearch`, on a worker pool): SMOTE's
 * k-NN among the minority, and the Tomek links.
 */
export interface ResamplingSearch {
  readonly neighbours: NeighbourSearch;
  readonly tomek: TomekSearch;
}

/** Both searches in this thread. */
export function localResamplingSearch(method: NeighbourMethod = 'auto'): ResamplingSearch {
  return { neighbours: localNeighbourSearch(method), tomek: localTomekSearch() };
}

/** The Tomek search of `search`: its own, or the 1-NN of every row by a plain k-NN search. */
export function tomekSearchOf(search: NeighbourSearch | ResamplingSearch): TomekSearch {
  return typeof search === 'function' ? tomekSearchFromNeighbours(search) : search.tomek;
}

/** `tomekLinks` with the search done by `search`. */
export async function tomekLinksWith(
  X: Float64Array,
  y: Uint8Array,
  cols: number,
  search: NeighbourSearch | ResamplingSearch,
  hints: TomekHints = {},
): Promise<Uint8Array> {
  checkShape(X, y, cols);
  if (y.length < 2) return new Uint8Array(y.length);
  return tomekSearchOf(search)(X, y, cols, hints);
}

function checkShape(X: Float64Array, y: Uint8Array, cols: number): void {
  if (X.length !== y.length * cols) {
    throw new PreprocessingError(
      'INVALID_ARGUMENT',
      `X has ${X.length} values, expected ${y.length}×${cols}`,
    );
  }
}

/**
 * Which linked rows to drop: `all` — both members (what `SMOTETomek` does by default: it builds
 * `TomekLinks(sampling_strategy='all')`); `majority` — only the member of the given class (what a bare
 * `TomekLinks()` does with 'auto').
 */
export type TomekRemoval = { readonly kind: 'all' } | { readonly kind: 'majority'; readonly majority: 0 | 1 };

export interface TomekResult {
  readonly X: Float64Array;
  readonly y: Uint8Array;
  readonly rows: number;
  /** Indices (into the input) of the rows kept, ascending. */
  readonly kept: Int32Array;
  readonly removed: number;
}

export function removeTomekLinks(
  X: Float64Array,
  y: Uint8Array,
  cols: number,
  removal: TomekRemoval,
  method: NeighbourMethod = 'auto',
  hints: TomekHints = {},
): TomekResult {
  return dropLinked(X, y, cols, removal, tomekLinks(X, y, cols, method, hints));
}

/** `removeTomekLinks` with the search done by `search`. */
export async function removeTomekLinksWith(
  X: Float64Array,
  y: Uint8Array,
  cols: number,
  removal: TomekRemoval,
  search: NeighbourSearch | ResamplingSearch,
  hints: TomekHints = {},
): Promise<TomekResult> {
  return dropLinked(X, y, cols, removal, await tomekLinksWith(X, y, cols, search, hints));
}

function dropLinked(
  X: Float64Array,
  y: Uint8Array,
  cols: number,
  removal: TomekRemoval,
  linked: Uint8Array,
): TomekResult {
  const keep: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const drop = linked[i] === 1 && (removal.kind === 'all' || y[i] === removal.majority);
    if (!drop) keep.push(i);
  }
  const kept = Int32Array.from(keep);
  const outX = new Float64Array(kept.length * cols);
  const outY = new Uint8Array(kept.length);
  for (let t = 0; t < kept.length; t++) {
    const i = kept[t]!;
    outX.set(X.subarray(i * cols, (i + 1) * cols), t * cols);
    outY[t] = y[i]!;
  }
  return { X: outX, y: outY, rows: kept.length, kept, removed: y.length - kept.length };
}
