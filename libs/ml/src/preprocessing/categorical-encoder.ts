import { PreprocessingError } from './errors';

/**
 * One-hot encoding with an explicit unknown bucket. One-hot rather than ordinal: categories such as
 * `service` have no order, and KNN imputation and SMOTE measure distances and interpolate between rows —
 * an ordinal code would make `http` "between" `ftp` and `smtp`. The cost (NSL-KDD: 84 columns for 3
 * categorical features) is small for trees and for the k-d tree.
 *
 * The known categories are the ones seen at fit, in the schema's order when the schema lists values
 * (sorted otherwise); `OneHotLimits` keep only the frequent ones (high-cardinality columns). A value not seen at fit, outside the schema list, or missing goes to the last
 * column, `<field>=__unknown__`, so a fitted preprocessor never fails or silently drops an unseen value.
 */
export const UNKNOWN_CATEGORY = '__unknown__';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Listed values compare as strings, numerically when both read as numbers (`1.0` is `1`), as the schema. */
export function sameCategory(raw: string, listed: string): boolean {
  if (raw === listed) return true;
  return NUMBER.test(raw) && NUMBER.test(listed) && Number(raw) === Number(listed);
}

export interface OneHotEncoding {
  /** Known categories in output order; the unknown bucket is column `categories.length`. */
  readonly categories: readonly string[];
}

/**
 * Limits on the categories a column keeps, as scikit-learn's OneHotEncoder has them (the schema's
 * `max_categories` / `min_frequency`). One difference: here `maxCategories` counts the kept categories,
 * the unknown bucket comes on top (sklearn counts its infrequent column within max_categories).
 */
export interface OneHotLimits {
  /** Keep at most this many categories: the most frequent at fit, ties by output order. */
  readonly maxCategories?: number;
  /** Drop categories seen fewer times than this at fit: a count when ≥ 1, a share of the rows below 1. */
  readonly minFrequency?: number;
}

export function fitOneHot(
  values: readonly (string | null)[],
  schemaValues?: readonly string[],
  limits: OneHotLimits = {},
): OneHotEncoding {
  const counts = new Map<string, number>();
  for (const v of values) {
    if (v === null) continue;
    const t = v.trim();
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return { categories: keptCategories(counts, values.length, schemaValues, limits) };
}

/**
 * The categories one-hot encoding keeps, in output order, from the counts seen at fit over `rows` rows
 * (missing values included): `fitOneHot`'s rule, for callers that have counts rather than values (drift
 * compares columns after this grouping, the way the model sees them).
 */
export function keptCategories(
  counts: ReadonlyMap<string, number>,
  rows: number,
  schemaValues?: readonly string[],
  limits: OneHotLimits = {},
): string[] {
  let candidates: { category: string; count: number }[];
  if (schemaValues) {
    const seen = [...counts];
    candidates = schemaValues
      .map((s) => ({
        category: s,
        count: seen.reduce((n, [v, c]) => (sameCategory(v, s) ? n + c : n), 0),
      }))
      .filter((c) => c.count > 0);
  } else {
    candidates = [...counts.keys()]
      .filter((category) => category !== UNKNOWN_CATEGORY)
      .sort()
      .map((category) => ({ category, count: counts.get(category)! }));
  }
  if (limits.minFrequency !== undefined) {
    const m = limits.minFrequency;
    const least = m >= 1 ? m : m * rows;
    candidates = candidates.filter((c) => c.count >= least);
  }
  if (limits.maxCategories !== undefined && candidates.length > limits.maxCategories) {
    const order = new Map(candidates.map((c, i) => [c.category, i]));
    const kept = new Set(
      [...candidates]
        .sort((a, b) => b.count - a.count || order.get(a.category)! - order.get(b.category)!)
        .slice(0, limits.maxCategories)
        .map((c) => c.category),
    );
    candidates = candidates.filter((c) => kept.has(c.category));
  }
  return candidates.map((c) => c.category);
}

/** A fast lookup from a raw value to its output column (the unknown bucket for anything else). */
export function oneHotLookup(encoding: OneHotEncoding): (value: string | null) => number {
  const exact = new Map<string, number>();
  encoding.categories.forEach((c, i) => exact.set(c, i));
  const unknown = encoding.categories.length;
  const numeric = encoding.categories
    .map((c, i) => [c, i] as const)
    .filter(([c]) => NUMBER.test(c))
    .map(([c, i]) => [Number(c), i] as const);
  return (value) => {
    if (value === null) return unknown;
    const text = value.trim();
    const hit = exact.get(text);
    if (hit !== undefined) return hit;
    if (NUMBER.test(text)) {
      const n = Number(text);
      const found = numeric.find(([c]) => c === n);
      if (found) return found[1];
    }
    return unknown;
  };
}

/** A binary column's value as 0 (the schema's first value) or 1 (its second); NaN when missing. */
export function encodeBinary(values: readonly [string, string], raw: string | number | null): number {
  if (raw === null || (typeof raw === 'number' && Number.isNaN(raw))) return NaN;
  const text = typeof raw === 'number' ? String(raw) : raw.trim();
  if (sameCategory(text, values[0])) return 0;
  if (sameCategory(text, values[1])) return 1;
  throw new PreprocessingError(
    'INVALID_VALUE',
    `'${text}' is not one of the binary values {${values.join(', ')}}`,
  );
}
