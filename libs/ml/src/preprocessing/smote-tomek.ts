import { classCounts, type ClassCounts } from './class-counts';
import type { NeighbourMethod, NeighbourSearch } from './neighbours';
import { smote, smoteWith, type SmoteResult } from './smote';
import { removeTomekLinks, removeTomekLinksWith, type TomekResult } from './tomek-links';

/**
 * SMOTE then Tomek-link cleaning, as imbalanced-learn's `SMOTETomek(random_state=seed)`: oversample the
 * minority to the majority count (k=5), then drop Tomek links. Default removal is `all` (both members),
 * which is what SMOTETomek's default TomekLinks(sampling_strategy='all') does; `majority` drops only the
 * member of the class that was the majority before oversampling. Train only — never resample a test set.
 * Deterministic from the seed. Cost: two exact k-NN searches (minority k-NN, then 1-NN of every row); the
 * search method only changes the time, never the result.
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
  return report(y, over, removeTomekLinks(over.X, over.y, options.cols, removal(options, over), method));
}

/**
 * SMOTE-Tomek as `smoteTomek` (the same rows), both neighbour searches done by `search`: e.g.
 * `poolNeighbourSearch`, which splits them across a worker pool's threads.
 */
export async function smoteTomekWith(
  X: Float64Array,
  y: Uint8Array,
  options: SmoteTomekOptions,
  search: NeighbourSearch,
): Promise<SmoteTomekResult> {
  const over = await smoteWith(
    X,
    y,
    { cols: options.cols, k: options.k ?? 5, seed: options.seed ?? 0 },
    search,
  );
  const cleaned = await removeTomekLinksWith(over.X, over.y, options.cols, removal(options, over), search);
  return report(y, over, cleaned);
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
