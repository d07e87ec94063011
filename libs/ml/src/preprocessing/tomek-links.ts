import { PreprocessingError } from './errors';
import { kNearestNeighbours, type NeighbourMethod, type NeighbourSearch } from './neighbours';

/**
 * Tomek links as imbalanced-learn's `TomekLinks`: rows a and b of different classes form a link when each
 * is the other's nearest neighbour. Nearest neighbours are exact, over all rows (`kNearestNeighbours`; self
 * excluded, ties by the smaller index; imblearn takes column 1 of a 2-NN query, which with exact duplicates
 * may pick differently). One pass, as imblearn: removing links can create new ones, which are left.
 */

/** 1 for every row that belongs to a Tomek link. */
export function tomekLinks(
  X: Float64Array,
  y: Uint8Array,
  cols: number,
  method: NeighbourMethod = 'auto',
): Uint8Array {
  checkShape(X, y, cols);
  if (y.length < 2) return new Uint8Array(y.length);
  return linksFromNeighbours(y, kNearestNeighbours(X, cols, 1, { method }).indices);
}

/** `tomekLinks` with the nearest-neighbour search done by `search` (e.g. split across a worker pool). */
export async function tomekLinksWith(
  X: Float64Array,
  y: Uint8Array,
  cols: number,
  search: NeighbourSearch,
): Promise<Uint8Array> {
  checkShape(X, y, cols);
  if (y.length < 2) return new Uint8Array(y.length);
  return linksFromNeighbours(y, (await search(X, cols, 1)).indices);
}

function checkShape(X: Float64Array, y: Uint8Array, cols: number): void {
  if (X.length !== y.length * cols) {
    throw new PreprocessingError(
      'INVALID_ARGUMENT',
      `X has ${X.length} values, expected ${y.length}×${cols}`,
    );
  }
}

function linksFromNeighbours(y: Uint8Array, nn: Int32Array): Uint8Array {
  const rows = y.length;
  const linked = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const j = nn[i]!;
    if (y[j] !== y[i] && nn[j] === i) linked[i] = 1;
  }
  return linked;
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
): TomekResult {
  return dropLinked(X, y, cols, removal, tomekLinks(X, y, cols, method));
}

/** `removeTomekLinks` with the nearest-neighbour search done by `search`. */
export async function removeTomekLinksWith(
  X: Float64Array,
  y: Uint8Array,
  cols: number,
  removal: TomekRemoval,
  search: NeighbourSearch,
): Promise<TomekResult> {
  return dropLinked(X, y, cols, removal, await tomekLinksWith(X, y, cols, search));
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
