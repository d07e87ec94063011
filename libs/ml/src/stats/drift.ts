import type { Frame } from '../frame';
import { keptCategories, type OneHotLimits } from '../preprocessing/categorical-encoder';
import { chiSquareHomogeneity, twoProportionZTest } from './chi-square';
import { StatsError } from './errors';
import { jensenShannonDistance } from './jensen-shannon';
import { ksTwoSampleSorted, sortedFinite } from './ks-two-sample';
import {
  assertDatasetProfile,
  categoryCounts,
  profileColumn,
  type ColumnProfile,
  type DatasetProfile,
} from './profile';
import { PSI_EPSILON, psi } from './psi';
import { expandRuns, fmt, histogramCounts, runLengths } from './summary';
import { WASSERSTEIN_MIN_NORM, wassersteinDistanceSorted } from './wasserstein';

export const DRIFT_METHODS = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi'] as const;
export type DriftMethod = (typeof DRIFT_METHODS)[number];

/** p-value tests drift when p < threshold; distances drift when distance ≥ threshold (as Evidently). */
const P_VALUE_METHODS: ReadonlySet<DriftMethod> = new Set(['ks', 'chisquare', 'z']);

/** Evidently's default thresholds. */
export const DEFAULT_DRIFT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
};

export interface ColumnDriftPolicy {
  readonly method?: DriftMethod;
  readonly threshold?: number;
  /** Leave the column out of the drift computation altogether. */
  readonly ignore?: boolean;
  /**
   * A categorical column is compared after the one-hot encoder's grouping, the way the model sees it: the
   * categories `keptCategories` keeps when fitted on the reference (the schema's `max_categories` /
   * `min_frequency`, its listed `values` for the order), every other one in a single "other" bucket.
   */
  readonly categories?: OneHotLimits & { readonly values?: readonly string[] };
}

export interface DriftPolicy {
  /** Dataset drift when the share of drifted columns is at least this (default 0.5, Evidently's). */
  readonly datasetDriftShare?: number;
  /** Any of these drifting means dataset drift, whatever the share. */
  readonly criticalColumns?: readonly string[];
  /** Per-column method/threshold overrides, by column name. */
  readonly columns?: Readonly<Record<string, ColumnDriftPolicy>>;
  /** Method for every numeric / categorical column without an override, instead of the automatic choice. */
  readonly defaultMethod?: { readonly numeric?: DriftMethod; readonly categorical?: DriftMethod };
  /** Thresholds per method (defaults: `DEFAULT_DRIFT_THRESHOLDS`). */
  readonly thresholds?: Partial<Readonly<Record<DriftMethod, number>>>;
  /** Up to this many reference values → p-value tests; more → distances (default 1000, Evidently's). */
  readonly smallReferenceRows?: number;
  /** Log base of the Jensen–Shannon distance (default e, so the 0.1 threshold means what it does in Evidently). */
  readonly jensenShannonBase?: number;
  /** Share substituted for an empty bin in PSI (default 1e-4). */
  readonly psiEpsilon?: number;
  /**
   * When set, a distance over counts (Jensen–Shannon, PSI) drifts only when the chi-square homogeneity
   * test on the same buckets also rejects at this level: the distance says the change is large enough to
   * matter, the test that sampling noise alone does not explain it. Sparse buckets (a high-cardinality
   * column over a few hundred rows) give a large distance between two halves of one random split; off by
   * default (Evidently's semantics).
   */
  readonly significance?: number;
}

export interface ColumnDrift {
  readonly column: string;
  readonly type: 'numeric' | 'categorical';
  readonly method: DriftMethod;
  /** The test statistic (KS D, χ², z) or the distance (Wasserstein normalised, JS, PSI). */
  readonly statistic: number;
  readonly pValue?: number;
  readonly threshold: number;
  readonly drifted: boolean;
  /** In words, e.g. `ks p=0.0003 < 0.05`. */
  readonly detail: string;
  /** Non-missing values compared (the reference count is the full column's, even when a sample stands in). */
  readonly referenceCount: number;
  readonly currentCount: number;
}

export interface DriftReport {
  readonly reportVersion: 1;
  readonly referenceRows: number;
  readonly currentRows: number;
  readonly columns: readonly ColumnDrift[];
  /** Columns not tested, with why (absent from the current data, no values, type mismatch, ignored). */
  readonly skipped: readonly { readonly column: string; readonly reason: string }[];
  readonly driftedColumns: readonly string[];
  readonly shareDrifted: number;
  readonly datasetDriftShare: number;
  readonly criticalDrifted: readonly string[];
  readonly datasetDrift: boolean;
  readonly reasons: readonly string[];
}

interface NumericRef {
  readonly kind: 'numeric';
  readonly name: string;
  readonly count: number;
  readonly std: number | null;
  readonly sample: Float64Array;
  readonly edges: readonly number[];
  readonly histogram: readonly number[];
  readonly valueCounts: ReadonlyMap<number, number> | null;
}

interface CategoricalRef {
  readonly kind: 'categorical';
  readonly name: string;
  readonly count: number;
  readonly counts: ReadonlyMap<string, number>;
  readonly otherCount: number;
  /** Grouped as the encoder does (`ColumnDriftPolicy.categories`): a current value maps to its bucket. */
  readonly grouped?: ReadonlySet<string>;
}

type Ref = NumericRef | CategoricalRef;

function toRef(p: ColumnProfile, grouping?: ColumnDriftPolicy['categories']): Ref {
  if (p.kind === 'categorical') {
    const counts = new Map(p.categories.map((c) => [c.value, c.count]));
    if (grouping === undefined) {
      return { kind: 'categorical', name: p.name, count: p.count, counts, otherCount: p.otherCount };
    }
    // The reference plays the encoder's training data: what it keeps is what the model has columns for.
    const kept = keptCategories(counts, p.count + p.missing, grouping.values, grouping);
    const keptCounts = new Map(kept.map((k) => [k, counts.get(k) ?? 0]));
    const inKept = [...keptCounts.values()].reduce((s, c) => s + c, 0);
    return {
      kind: 'categorical',
      name: p.name,
      count: p.count,
      counts: keptCounts,
      otherCount: p.count - inKept,
      grouped: new Set(kept),
    };
  }
  const vc = p.valueCounts;
  return {
    kind: 'numeric',
    name: p.name,
    count: p.count,
    std: p.std,
    sample: expandRuns(p.sample.values, p.sample.counts),
    edges: p.histogram.edges,
    histogram: p.histogram.counts,
    valueCounts: vc ? new Map(vc.values.map((v, i) => [v, vc.counts[i]!])) : null,
  };
}

function validatePolicy(policy: DriftPolicy): void {
  const bad = (msg: string): never => {
    throw new StatsError('STATS_INVALID_POLICY', msg);
  };
  const share = policy.datasetDriftShare;
  if (share !== undefined && !(share > 0 && share <= 1))
    bad(`datasetDriftShare must be in (0, 1], got ${share}`);
  const checkMethod = (where: string, m: string | undefined): void => {
    if (m !== undefined && !(DRIFT_METHODS as readonly string[]).includes(m)) {
      bad(`${where}: unknown drift method '${m}' (one of ${DRIFT_METHODS.join(', ')})`);
    }
  };
  const checkThreshold = (where: string, t: number | undefined): void => {
    if (t !== undefined && !(Number.isFinite(t) && t >= 0)) bad(`${where}: threshold must be a number >= 0`);
  };
  const level = policy.significance;
  if (level !== undefined && !(level > 0 && level <= 1)) bad(`significance must be in (0, 1], got ${level}`);
  checkMethod('defaultMethod.numeric', policy.defaultMethod?.numeric);
  checkMethod('defaultMethod.categorical', policy.defaultMethod?.categorical);
  for (const [m, t] of Object.entries(policy.thresholds ?? {})) {
    checkMethod('thresholds', m);
    checkThreshold(`thresholds.${m}`, t);
  }
  for (const [c, p] of Object.entries(policy.columns ?? {})) {
    checkMethod(`columns.${c}.method`, p.method);
    checkThreshold(`columns.${c}.threshold`, p.threshold);
  }
}

/** Aligned reference/current counts over shared buckets, for the tests on frequencies. */
function buckets(ref: Ref, current: Float64Array | Map<string, number>): { a: number[]; b: number[] } {
  if (ref.kind === 'categorical') {
    const cur = current as Map<string, number>;
    const keys = [...ref.counts.keys()];
    const a = keys.map((k) => ref.counts.get(k)!);
    const b = keys.map((k) => cur.get(k) ?? 0);
    let unseen = 0;
    for (const [k, c] of cur) {
      if (ref.counts.has(k)) continue;
      if (ref.grouped !== undefined) {
        unseen += c; // not kept by the encoder: the model sees it in the one "other" bucket
      } else if (ref.otherCount > 0) {
        unseen += c; // may be one of the reference's rarer categories: share its "other" bucket
      } else {
        a.push(0);
        b.push(c);
      }
    }
    if (ref.otherCount > 0 || (ref.grouped !== undefined && unseen > 0)) {
      a.push(ref.otherCount);
      b.push(unseen);
    }
    return { a, b };
  }
  const cur = current as Float64Array;
  if (ref.valueCounts) {
    const runs = runLengths(cur);
    const keys = new Set<number>([...ref.valueCounts.keys(), ...runs.values]);
    const curMap = new Map(runs.values.map((v, i) => [v, runs.counts[i]!]));
    const sortedKeys = [...keys].sort((x, y) => x - y);
    return {
      a: sortedKeys.map((k) => ref.valueCounts!.get(k) ?? 0),
      b: sortedKeys.map((k) => curMap.get(k) ?? 0),
    };
  }
  return { a: [...ref.histogram], b: histogramCounts(ref.edges, cur) };
}

function distinctUnion(ref: Ref, current: Float64Array | Map<string, number>): number {
  if (ref.kind === 'categorical') {
    if (ref.grouped !== undefined) return buckets(ref, current).a.length;
    const keys = new Set([...ref.counts.keys(), ...(current as Map<string, number>).keys()]);
    return keys.size + (ref.otherCount > 0 ? 1 : 0);
  }
  if (!ref.valueCounts) return Infinity; // more distinct values than a profile keeps counts for (> 32)
  const keys = new Set<number>(ref.valueCounts.keys());
  for (const v of current as Float64Array) keys.add(v);
  return keys.size;
}

/**
 * Evidently's automatic choice: up to `small` reference values — KS for numeric columns with more than 5
 * distinct values, else chi-square (more than 2 values) or the two-proportion z-test; above — normalised
 * Wasserstein for numeric columns with more than 5 distinct values, else Jensen–Shannon.
 */
function autoMethod(ref: Ref, nValues: number, small: number): DriftMethod {
  const numeric = ref.kind === 'numeric' && nValues > 5;
  if (ref.count <= small) return numeric ? 'ks' : nValues > 2 ? 'chisquare' : 'z';
  return numeric ? 'wasserstein' : 'jensenshannon';
}

const METHOD_LABEL: Readonly<Record<DriftMethod, string>> = {
  ks: 'ks',
  chisquare: 'chi-square',
  z: 'z-test',
  wasserstein: 'wasserstein (normed)',
  jensenshannon: 'jensen-shannon',
  psi: 'psi',
};

function testColumn(
  ref: Ref,
  current: Float64Array | Map<string, number>,
  currentCount: number,
  method: DriftMethod,
  threshold: number,
  policy: DriftPolicy,
): ColumnDrift {
  let statistic: number;
  let pValue: number | undefined;
  let method_ = method;
  const counts = (): { a: number[]; b: number[] } => buckets(ref, current);
  switch (method) {
    case 'ks':
    case 'wasserstein': {
      if (ref.kind !== 'numeric') {
        throw new StatsError('STATS_INVALID_POLICY', `${ref.name}: ${method} needs a numeric column`);
      }
      const cur = current as Float64Array;
      if (method === 'ks') {
        const r = ksTwoSampleSorted(ref.sample, cur);
        statistic = r.statistic;
        pValue = r.pValue;
      } else {
        const norm = Math.max(ref.std ?? 0, WASSERSTEIN_MIN_NORM);
        statistic = wassersteinDistanceSorted(ref.sample, cur) / norm;
      }
      break;
    }
    case 'chisquare': {
      const { a, b } = counts();
      const r = chiSquareHomogeneity(a, b);
      statistic = r.statistic;
      pValue = r.pValue;
      break;
    }
    case 'z': {
      const { a, b } = counts();
      const keep = a.map((_, i) => i).filter((i) => a[i]! + b[i]! > 0);
      if (keep.length > 2) {
        // Only two values make a proportion; with more, the z-test generalises to chi-square.
        const r = chiSquareHomogeneity(a, b);
        method_ = 'chisquare';
        statistic = r.statistic;
        pValue = r.pValue;
      } else {
        const pick = (x: number[]): [number, number] => [
          x[keep[0]!] ?? 0,
          keep[1] === undefined ? 0 : x[keep[1]]!,
        ];
        const r = twoProportionZTest(pick(a), pick(b));
        statistic = r.statistic;
        pValue = r.pValue;
      }
      break;
    }
    case 'jensenshannon': {
      const { a, b } = counts();
      statistic = jensenShannonDistance(a, b, policy.jensenShannonBase ?? Math.E);
      break;
    }
    case 'psi': {
      const { a, b } = counts();
      statistic = psi(a, b, policy.psiEpsilon ?? PSI_EPSILON);
      break;
    }
  }
  const isP = P_VALUE_METHODS.has(method_);
  const label = METHOD_LABEL[method_];
  let drifted = isP ? pValue! < threshold : statistic >= threshold;
  let detail = isP
    ? `${label} p=${fmt(pValue)} ${drifted ? '<' : '>='} ${threshold}`
    : `${label} ${fmt(statistic)} ${drifted ? '>=' : '<'} ${threshold}`;
  const level = policy.significance;
  if (drifted && level !== undefined && (method_ === 'jensenshannon' || method_ === 'psi')) {
    // A large distance that sampling noise explains is no drift (see DriftPolicy.significance).
    const { a, b } = counts();
    pValue = chiSquareHomogeneity(a, b).pValue;
    if (!(pValue < level)) {
      drifted = false;
      detail = `${label} ${fmt(statistic)} >= ${threshold}, but chi-square p=${fmt(pValue)} >= ${level}: within sampling noise`;
    } else {
      detail += ` (chi-square p=${fmt(pValue)} < ${level})`;
    }
  }
  return {
    column: ref.name,
    type: ref.kind,
    method: method_,
    statistic,
    ...(pValue !== undefined ? { pValue } : {}),
    threshold,
    drifted,
    detail,
    referenceCount: ref.count,
    currentCount,
  };
}

/**
 * Per-column drift of `current` against a reference — a frame (all of its values are used) or the
 * `DatasetProfile` stored with a model (its sample, histogram and category counts stand in) — and the
 * dataset-level verdict under `policy`. Columns are matched by name; the report is JSON-serialisable.
 */
export function detectDrift(
  reference: DatasetProfile | Frame,
  current: Frame,
  policy: DriftPolicy = {},
): DriftReport {
  validatePolicy(policy);
  let profiles: readonly ColumnProfile[];
  let referenceRows: number;
  if ('profileVersion' in reference) {
    assertDatasetProfile(reference);
    profiles = reference.columns;
    referenceRows = reference.rows;
  } else {
    // A frame is profiled without bounds, so every value takes part (exact Evidently semantics).
    const unbounded = { sampleSize: Infinity, topCategories: Infinity };
    profiles = reference.columns.map((c) => profileColumn(c, unbounded));
    referenceRows = reference.rows;
  }
  const shareThreshold = policy.datasetDriftShare ?? 0.5;
  const small = policy.smallReferenceRows ?? 1000;
  const results: ColumnDrift[] = [];
  const skipped: { column: string; reason: string }[] = [];

  for (const profile of profiles) {
    const name = profile.name;
    const override = policy.columns?.[name] ?? {};
    if (override.ignore) {
      skipped.push({ column: name, reason: 'ignored by policy' });
      continue;
    }
    const col = current.columns.find((c) => c.name === name);
    if (!col) {
      skipped.push({ column: name, reason: 'absent from the current data' });
      continue;
    }
    if (col.kind !== profile.kind) {
      skipped.push({
        column: name,
        reason: `is ${col.kind} in the current data but ${profile.kind} in the reference`,
      });
      continue;
    }
    if (profile.count === 0) {
      skipped.push({ column: name, reason: 'no values in the reference' });
      continue;
    }
    const ref = toRef(profile, override.categories);
    const cur = col.kind === 'numeric' ? sortedFinite(col.values) : categoryCounts(col.values);
    const currentCount =
      cur instanceof Float64Array ? cur.length : [...cur.values()].reduce((s, c) => s + c, 0);
    if (currentCount === 0) {
      skipped.push({ column: name, reason: 'no values in the current data' });
      continue;
    }
    const method =
      override.method ??
      (ref.kind === 'numeric' ? policy.defaultMethod?.numeric : policy.defaultMethod?.categorical) ??
      autoMethod(ref, distinctUnion(ref, cur), small);
    const threshold = override.threshold ?? policy.thresholds?.[method] ?? DEFAULT_DRIFT_THRESHOLDS[method];
    results.push(testColumn(ref, cur, currentCount, method, threshold, policy));
  }

  const drifted = results.filter((r) => r.drifted);
  const share = results.length > 0 ? drifted.length / results.length : 0;
  const critical = new Set(policy.criticalColumns ?? []);
  const criticalDrifted = drifted.filter((r) => critical.has(r.column)).map((r) => r.column);
  const byShare = results.length > 0 && share >= shareThreshold;
  const datasetDrift = byShare || criticalDrifted.length > 0;

  const reasons: string[] = [];
  const list = drifted.map((r) => `${r.column} (${r.detail})`).join(', ');
  reasons.push(
    `${drifted.length} of ${results.length} columns drifted (share ${fmt(share)} ${byShare ? '>=' : '<'} ${shareThreshold})` +
      (drifted.length > 0 ? `: ${list}` : ''),
  );
  for (const c of criticalDrifted) {
    reasons.push(`critical column ${c} drifted: ${results.find((r) => r.column === c)!.detail}`);
  }
  for (const c of critical) {
    const s = skipped.find((x) => x.column === c);
    if (s) reasons.push(`critical column ${c} was not tested: ${s.reason}`);
    else if (!profiles.some((p) => p.name === c))
      reasons.push(`critical column ${c} is not in the reference`);
  }

  return {
    reportVersion: 1,
    referenceRows,
    currentRows: current.rows,
    columns: results,
    skipped,
    driftedColumns: drifted.map((r) => r.column),
    shareDrifted: share,
    datasetDriftShare: shareThreshold,
    criticalDrifted,
    datasetDrift,
    reasons,
  };
}
