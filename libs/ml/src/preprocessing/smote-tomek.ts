import { classCounts, type ClassCounts } from './class-counts';
import type { NeighbourMethod, NeighbourSearch } from './neighbours';
import { smote, smoteWith, type SmoteResult } from './smote';
import {
  removeTomekLinks,
  removeTomekLinksWith,
  type ResamplingSearch,
  type TomekHints,
  type TomekResult,
} from './tomek-links';
import { hintsFromSmote } from './tomek-search';

/**
 * SMOTE then Tomek-link cleaning, as imbalanced-learn's `SMOTETomek(random_state=seed)`: oversample the
 * minority to the majority count (k=5), then drop Tomek links. Default removal is `all` (both members),
 * which is what SMOTETomek's default TomekLinks(sampling_strategy='all') does; `majority` drops only the
 * member of the class that was the majority before oversampling. Train only — never resample a test set.
 * Deterministic from the seed. Cost: SMOTE's exact k-NN among the minority, then the exact Tomek-link search
 * (decision 0100); the search method only changes the time, never the result.
 */
export interface SmoteTomekOptions {
  readonly cols: number;
  readonly k?: number;
  readonly seed?: number;
  readonly removal?: 'all' | 'majority';
  /** The neighbour search in this thread (default `auto`); ignored by `smoteTomekWith`. */
  readonly neighbours?: NeighbourMethod;
}

export interface SmoteTomekResult {
  readonly X: Float64Array;
  readonly y: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  readonly report: {
    readonly before: ClassCounts;
    readonly afterSmote: ClassCounts;
    readonly synthetic: number;
    readonly tomekRemoved: number;
    readonly after: ClassCounts;
  };
}

export function smoteTomek(X: Float64Array, y: Uint8Array, options: SmoteTomekOptions): SmoteTomekResult {
  const method = options.neighbours ?? 'auto';
  const over = smote(X, y, {
    cols: options.cols,
    k: options.k ?? 5,
    seed: options.seed ?? 0,
    neighbours: method,
  });
  return report(
    y,
    over,
    removeTomekLinks(over.X, over.y, options.cols, removal(options, over), method, smoteHints(over)),
  );
}

/**
 * SMOTE-Tomek as `smoteTomek` (the same rows), both searches done by `search`: e.g. `poolResamplingSearch`,
 * which splits them across a worker pool's threads. A plain k-NN search (`poolNeighbourSearch`) also works:
 * the Tomek links then come from the 1-NN of every row, as before decision 0100 (the same links, slower).
 */
export async function smoteTomekWith(
  X: Float64Array,
  y: Uint8Array,
  options: SmoteTomekOptions,
  search: NeighbourSearch | ResamplingSearch,
): Promise<SmoteTomekResult> {
  const over = await smoteWith(
    X,
    y,
    { cols: options.cols, k: options.k ?? 5, seed: options.seed ?? 0 },
    typeof search === 'function' ? search : search.neighbours,
  );
  const cleaned = await removeTomekLinksWith(
    over.X,
    over.y,
    options.cols,
    removal(options, over),
    search,
    smoteHints(over),
  );
  return report(y, over, cleaned);
}

/**
 * What SMOTE tells the Tomek search (decision 0100): query the grown class, start each of its rows from a
 * near row of its class (a synthetic row's source, a source's nearest synthetic row). Only the time.
 */
function smoteHints(over: SmoteResult): TomekHints {
  if (over.minority === null) return {};
  return { queryClass: over.minority, hints: hintsFromSmote(over.rows, over.synthetic) };
}

function removal(
  options: SmoteTomekOptions,
  over: SmoteResult,
): { kind: 'all' } | { kind: 'majority'; majority: 0 | 1 } {
  const majority: 0 | 1 = over.minority === 1 ? 0 : 1;
  return options.removal === 'majority' ? { kind: 'majority', majority } : { kind: 'all' };
}

function report(y: Uint8Array, over: SmoteResult, cleaned: TomekResult): SmoteTomekResult {
  return {
    X: cleaned.X,
    y: cleaned.y,
    rows: cleaned.rows,
    cols: over.cols,
    report: {
      before: over.before,
      afterSmote: over.after,
      synthetic: over.rows - y.length,
      tomekRemoved: cleaned.removed,
      after: classCounts(cleaned.y),
    },
  };
}
