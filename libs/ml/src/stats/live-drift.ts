import type { Frame } from '../frame';
import { StatsError } from './errors';
import { jensenShannonDistance } from './jensen-shannon';
import { assertDatasetProfile, type ColumnProfile, type DatasetProfile } from './profile';
import { psi } from './psi';

/**
 * Live drift of a stream against a model's reference profile over a sliding window of the last
 * `windowSize` rows. Each value is binned once, on arrival, into the reference's own bins; the window is
 * a ring buffer of bin indices per feature with running counts, so `observe` costs O(rows × features ×
 * log bins) without allocating per row and `evaluate` costs O(features × bins).
 *
 * Bins: numeric — the profile's quantile bins (−∞, e0], (e0, e1], …, (e_last, ∞); categorical — the
 * profile's top categories plus one "other" bucket for every value beyond them (rarer reference categories
 * and values the reference never saw share it, as the reference's `otherCount` does). Missing values
 * (NaN, null) have a bucket of their own compared with the profile's `missing` count (`missing:
 * 'bucket'`, the default), so a feature that starts arriving empty drifts; with `missing: 'ignore'` they
 * are left out of the statistic, which then equals Evidently's (it drops missing values).
 */

export type LiveDriftStatistic = 'psi' | 'js';

export interface LiveDriftOptions {
  /** Rows in the sliding window (default 5000). */
  readonly windowSize?: number;
  /** `evaluate` returns null until the window holds this many rows (default: windowSize). */
  readonly minRecords?: number;
  /** PSI at or above which a numeric column drifts (default 0.1, Evidently's). */
  readonly numericThreshold?: number;
  /** Statistic at or above which a categorical column drifts (default 0.1, Evidently's). */
  readonly categoricalThreshold?: number;
  /**
   * Categorical statistic (default 'js': the Jensen–Shannon distance, base e, as Evidently — the square
   * root of the divergence, in [0, √ln2 ≈ 0.833]); 'psi' uses PSI as for numeric columns.
   */
  readonly categoricalStatistic?: LiveDriftStatistic;
  /** The window drifts when at least this share of monitored columns drift (default 0.5, Evidently's). */
  readonly shareThreshold?: number;
  /** Columns to monitor (default: every column of the profile). */
  readonly columns?: readonly string[];
  /** Missing values: their own bucket against the profile's missing count (default), or left out. */
  readonly missing?: 'bucket' | 'ignore';
}

export type ResolvedLiveDriftOptions = Required<Omit<LiveDriftOptions, 'columns'>> & {
  readonly columns: readonly string[] | null;
};

export const DEFAULT_LIVE_DRIFT_OPTIONS: Readonly<Omit<ResolvedLiveDriftOptions, 'minRecords'>> = {
  windowSize: 5000,
  numericThreshold: 0.1,
  categoricalThreshold: 0.1,
  categoricalStatistic: 'js',
  shareThreshold: 0.5,
  columns: null,
  missing: 'bucket',
};

/** One monitored feature: the `FeatureDrift` record of `monitoring.drift` v1. */
export interface LiveFeatureDrift {
  readonly feature: string;
  readonly statistic: LiveDriftStatistic;
  readonly value: number;
  readonly threshold: number;
  readonly drifted: boolean;
}

export interface LiveDriftReport {
  /** Rows in the window when evaluated (the configured size once the window is full). */
  readonly windowSize: number;
  /** Earliest / latest `observedAt` in the window; null when no row of it came with one. */
  readonly windowStart: number | null;
  readonly windowEnd: number | null;
  readonly features: readonly LiveFeatureDrift[];
  /**
   * Monitored columns not in `features`, with why: no reference values to compare with, or (with
   * `missing: 'ignore'`) no value in the window.
   */
  readonly skipped: readonly { readonly feature: string; readonly reason: string }[];
  /** Share of `features` that drifted, in [0, 1]. */
  readonly shareDrifted: number;
  readonly shareThreshold: number;
  readonly drifted: boolean;
}

/** The window's counts beside the reference's for one feature, over the same buckets. */
export interface LiveDriftBuckets {
  readonly feature: string;
  readonly kind: 'numeric' | 'categorical';
  /** Bucket names: `≤e0`, `(e0,e1]`, …, `>e_last` or the category; then `other` (categorical), `missing`. */
  readonly labels: readonly string[];
  readonly reference: readonly number[];
  readonly window: readonly number[];
  /** How many leading buckets the statistic compares (all, or all but `missing` when it is ignored). */
  readonly compared: number;
}

type BinRing = Uint8Array | Uint16Array | Uint32Array;

interface Monitored {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  readonly statistic: LiveDriftStatistic;
  readonly threshold: number;
  /** Ascending edges (numeric). */
  readonly edges: Float64Array;
  /** Category → bucket (categorical). */
  readonly index: ReadonlyMap<string, number>;
  /** Bucket of categories beyond the reference's top N (categorical; -1 for numeric). */
  readonly otherBin: number;
  /** Always the last bucket. */
  readonly missingBin: number;
  readonly reference: Float64Array;
  readonly counts: Int32Array;
  readonly ring: BinRing;
  readonly labels: readonly string[];
}

/** Evidently takes the Jensen–Shannon distance with natural logarithms (SciPy's default). */
const JS_BASE = Math.E;

function invalid(message: string): never {
  throw new StatsError('STATS_INVALID_INPUT', `live drift: ${message}`);
}

function resolveOptions(options: LiveDriftOptions): ResolvedLiveDriftOptions {
  const windowSize = options.windowSize ?? DEFAULT_LIVE_DRIFT_OPTIONS.windowSize;
  if (!Number.isInteger(windowSize) || windowSize < 1)
    invalid(`windowSize must be an integer >= 1, got ${windowSize}`);
  const minRecords = options.minRecords ?? windowSize;
  if (!Number.isInteger(minRecords) || minRecords < 1 || minRecords > windowSize) {
    invalid(`minRecords must be an integer in [1, windowSize = ${windowSize}], got ${minRecords}`);
  }
  const o: ResolvedLiveDriftOptions = {
    ...DEFAULT_LIVE_DRIFT_OPTIONS,
    ...options,
    windowSize,
    minRecords,
    columns: options.columns ?? null,
  };
  for (const key of ['numericThreshold', 'categoricalThreshold'] as const) {
    if (!(Number.isFinite(o[key]) && o[key] >= 0)) invalid(`${key} must be a number >= 0, got ${o[key]}`);
  }
  if (!(o.shareThreshold > 0 && o.shareThreshold <= 1)) {
    invalid(`shareThreshold must be in (0, 1], got ${o.shareThreshold}`);
  }
  if (o.categoricalStatistic !== 'js' && o.categoricalStatistic !== 'psi') {
    invalid(`categoricalStatistic must be 'js' or 'psi', got '${String(o.categoricalStatistic)}'`);
  }
  if (o.missing !== 'bucket' && o.missing !== 'ignore') {
    invalid(`missing must be 'bucket' or 'ignore', got '${String(o.missing)}'`);
  }
  return o;
}

function ringFor(bins: number, size: number): BinRing {
  if (bins <= 0x100) return new Uint8Array(size);
  if (bins <= 0x10000) return new Uint16Array(size);
  return new Uint32Array(size);
}

function monitorFor(p: ColumnProfile, o: ResolvedLiveDriftOptions): Monitored {
  if (p.kind === 'numeric') {
    const edges = Float64Array.from(p.histogram.edges);
    for (let i = 1; i < edges.length; i++) {
      if (!(edges[i]! > edges[i - 1]!)) invalid(`${p.name}: histogram edges are not strictly ascending`);
    }
    if (p.histogram.counts.length !== edges.length + 1) {
      invalid(`${p.name}: ${p.histogram.counts.length} histogram counts for ${edges.length} edges`);
    }
    const bins = edges.length + 2;
    const labels: string[] = [];
    for (let i = 0; i <= edges.length; i++) {
      labels.push(
        i === 0 && edges.length > 0
          ? `<=${edges[0]}`
          : i === edges.length
            ? edges.length > 0
              ? `>${edges[i - 1]}`
              : 'all'
            : `(${edges[i - 1]},${edges[i]}]`,
      );
    }
    labels.push('missing');
    return {
      name: p.name,
      kind: 'numeric',
      statistic: 'psi',
      threshold: o.numericThreshold,
      edges,
      index: new Map(),
      otherBin: -1,
      missingBin: bins - 1,
      reference: Float64Array.from([...p.histogram.counts, p.missing]),
      counts: new Int32Array(bins),
      ring: ringFor(bins, o.windowSize),
      labels,
    };
  }
  const index = new Map<string, number>();
  p.categories.forEach((c, i) => index.set(c.value, i));
  if (index.size !== p.categories.length) invalid(`${p.name}: duplicate categories in the profile`);
  const otherBin = p.categories.length;
  const bins = otherBin + 2;
  return {
    name: p.name,
    kind: 'categorical',
    statistic: o.categoricalStatistic,
    threshold: o.categoricalThreshold,
    edges: new Float64Array(0),
    index,
    otherBin,
    missingBin: bins - 1,
    reference: Float64Array.from([...p.categories.map((c) => c.count), p.otherCount, p.missing]),
    counts: new Int32Array(bins),
    ring: ringFor(bins, o.windowSize),
    labels: [...p.categories.map((c) => c.value), 'other', 'missing'],
  };
}

/**
 * Sliding minimum (or maximum) of the window's timestamps: a monotonic deque of row sequence numbers in a
 * fixed ring, amortised O(1) per row.
 */
class SlidingExtreme {
  private readonly seq: Float64Array;
  private readonly val: Float64Array;
  private head = 0;
  private size = 0;

  constructor(
    private readonly capacity: number,
    private readonly max: boolean,
  ) {
    this.seq = new Float64Array(capacity);
    this.val = new Float64Array(capacity);
  }

  push(seq: number, value: number): void {
    const c = this.capacity;
    while (this.size > 0) {
      const back = (this.head + this.size - 1) % c;
      const v = this.val[back]!;
      if (this.max ? v <= value : v >= value) this.size--;
      else break;
    }
    // Only the last `capacity` rows are alive, so a full deque's front is always already evicted.
    if (this.size === c) {
      this.head = (this.head + 1) % c;
      this.size--;
    }
    const at = (this.head + this.size) % c;
    this.seq[at] = seq;
    this.val[at] = value;
    this.size++;
  }

  /** Drops rows older than `oldest`, then returns the extreme or null when none is left. */
  value(oldest: number): number | null {
    while (this.size > 0 && this.seq[this.head]! < oldest) {
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
    return this.size > 0 ? this.val[this.head]! : null;
  }
}

/** Live drift of a stream against a `DatasetProfile` over a sliding window of rows (see the module doc). */
export class LiveDriftMonitor {
  readonly options: ResolvedLiveDriftOptions;
  private readonly monitored: readonly Monitored[];
  private readonly skippedAtStart: readonly { feature: string; reason: string }[];
  /** Next write position in the rings. */
  private pos = 0;
  /** Rows in the window. */
  private filled = 0;
  /** Rows observed since construction (the sequence number of the next row). */
  private total = 0;
  private readonly minTime: SlidingExtreme;
  private readonly maxTime: SlidingExtreme;

  constructor(profile: DatasetProfile, options: LiveDriftOptions = {}) {
    assertDatasetProfile(profile);
    this.options = resolveOptions(options);
    const o = this.options;
    const byName = new Map(profile.columns.map((c) => [c.name, c]));
    let names: readonly string[];
    if (o.columns) {
      const unknown = o.columns.filter((c) => !byName.has(c));
      if (unknown.length > 0) invalid(`columns not in the reference profile: ${unknown.join(', ')}`);
      names = [...new Set(o.columns)];
    } else {
      names = profile.columns.map((c) => c.name);
    }
    const monitored: Monitored[] = [];
    const skipped: { feature: string; reason: string }[] = [];
    for (const name of names) {
      const m = monitorFor(byName.get(name)!, o);
      const compared = this.compared(m);
      let mass = 0;
      for (let i = 0; i < compared; i++) mass += m.reference[i]!;
      if (mass > 0) monitored.push(m);
      else skipped.push({ feature: name, reason: 'no values in the reference profile' });
    }
    this.monitored = monitored;
    this.skippedAtStart = skipped;
    this.minTime = new SlidingExtreme(o.windowSize, false);
    this.maxTime = new SlidingExtreme(o.windowSize, true);
  }

  /** Rows currently in the window (at most `windowSize`). */
  get windowRows(): number {
    return this.filled;
  }

  /** Names of the monitored features, in report order. */
  get features(): readonly string[] {
    return this.monitored.map((m) => m.name);
  }

  /**
   * Adds a batch of rows to the window, evicting the oldest beyond `windowSize`. `observedAt` (epoch ms,
   * one per row; NaN when unknown) feeds the report's window start and end. Throws when a monitored column
   * is absent from the frame or of another kind than in the profile.
   */
  observe(frame: Frame, observedAt?: ArrayLike<number>): void {
    const n = frame.rows;
    if (observedAt !== undefined && observedAt.length !== n) {
      invalid(`observedAt has ${observedAt.length} entries for ${n} rows`);
    }
    if (n === 0) return;
    const byName = new Map<string, Frame['columns'][number]>();
    for (const c of frame.columns) byName.set(c.name, c);
    const columns = this.monitored.map((m) => {
      const c = byName.get(m.name);
      if (!c) invalid(`column '${m.name}' is missing from the frame`);
      if (c.kind !== m.kind)
        invalid(`column '${m.name}' is ${c.kind} in the frame but ${m.kind} in the profile`);
      if (c.values.length < n) invalid(`column '${m.name}' has ${c.values.length} values for ${n} rows`);
      return c;
    });

    const w = this.options.windowSize;
    const skip = n > w ? n - w : 0; // rows that would leave the window within this batch anyway
    const rows = n - skip;
    // Row k of the kept rows evicts the window's oldest row once the window is full.
    const evictFrom = w - this.filled;
    for (let f = 0; f < this.monitored.length; f++) {
      const m = this.monitored[f]!;
      const c = columns[f]!;
      if (c.kind === 'numeric') this.observeNumeric(m, c.values, skip, rows, evictFrom);
      else this.observeCategorical(m, c.values, skip, rows, evictFrom);
    }
    if (observedAt !== undefined) {
      for (let k = 0; k < rows; k++) {
        const t = observedAt[skip + k]!;
        if (Number.isFinite(t)) {
          const seq = this.total + skip + k;
          this.minTime.push(seq, t);
          this.maxTime.push(seq, t);
        }
      }
    }
    this.pos = (this.pos + rows) % w;
    this.filled = Math.min(w, this.filled + rows);
    this.total += n;
  }

  private observeNumeric(
    m: Monitored,
    values: Float64Array,
    skip: number,
    rows: number,
    evictFrom: number,
  ): void {
    const { edges, counts, ring, missingBin } = m;
    const ne = edges.length;
    const w = ring.length;
    let p = this.pos;
    for (let k = 0; k < rows; k++) {
      const v = values[skip + k]!;
      let bin: number;
      if (v !== v) {
        bin = missingBin;
      } else {
        // first edge >= v: bins are right-closed, as the profile's histogram
        let lo = 0;
        let hi = ne;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (edges[mid]! < v) lo = mid + 1;
          else hi = mid;
        }
        bin = lo;
      }
      if (k >= evictFrom) counts[ring[p]!]!--;
      ring[p] = bin;
      counts[bin]!++;
      if (++p === w) p = 0;
    }
  }

  private observeCategorical(
    m: Monitored,
    values: readonly (string | null)[],
    skip: number,
    rows: number,
    evictFrom: number,
  ): void {
    const { index, counts, ring, missingBin, otherBin } = m;
    const w = ring.length;
    let p = this.pos;
    for (let k = 0; k < rows; k++) {
      const v = values[skip + k];
      const bin = v === null || v === undefined ? missingBin : (index.get(v) ?? otherBin);
      if (k >= evictFrom) counts[ring[p]!]!--;
      ring[p] = bin;
      counts[bin]!++;
      if (++p === w) p = 0;
    }
  }

  private compared(m: Monitored): number {
    return this.options.missing === 'bucket' ? m.reference.length : m.reference.length - 1;
  }

  /** The window's drift against the reference, or null until the window holds `minRecords` rows. */
  evaluate(): LiveDriftReport | null {
    const o = this.options;
    if (this.filled < o.minRecords) return null;
    const features: LiveFeatureDrift[] = [];
    const skipped = [...this.skippedAtStart];
    for (const m of this.monitored) {
      const compared = this.compared(m);
      const live = m.counts.subarray(0, compared);
      let mass = 0;
      for (let i = 0; i < compared; i++) mass += live[i]!;
      if (mass === 0) {
        skipped.push({ feature: m.name, reason: 'no values in the window (all missing)' });
        continue;
      }
      const ref = m.reference.subarray(0, compared);
      const value = m.statistic === 'psi' ? psi(ref, live) : jensenShannonDistance(ref, live, JS_BASE);
      features.push({
        feature: m.name,
        statistic: m.statistic,
        value,
        threshold: m.threshold,
        drifted: value >= m.threshold,
      });
    }
    let nDrifted = 0;
    for (const f of features) if (f.drifted) nDrifted++;
    const shareDrifted = features.length > 0 ? nDrifted / features.length : 0;
    const oldest = this.total - this.filled;
    return {
      windowSize: this.filled,
      windowStart: this.minTime.value(oldest),
      windowEnd: this.maxTime.value(oldest),
      features,
      skipped,
      shareDrifted,
      shareThreshold: o.shareThreshold,
      drifted: features.length > 0 && shareDrifted >= o.shareThreshold,
    };
  }

  /** The reference's and the window's counts for one monitored feature (for diagnostics and tests). */
  buckets(feature: string): LiveDriftBuckets {
    const m = this.monitored.find((x) => x.name === feature);
    if (!m) invalid(`'${feature}' is not a monitored feature`);
    return {
      feature: m.name,
      kind: m.kind,
      labels: m.labels,
      reference: [...m.reference],
      window: [...m.counts],
      compared: this.compared(m),
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// What to do about a drifted window: alert once, retrain at most once per cooldown.

/** `DriftAction` of `monitoring.drift` v1. */
export type DriftAction = 'NONE' | 'ALERTED' | 'RETRAIN_REQUESTED' | 'COOLDOWN';

export interface DriftRetrainOptions {
  /** Request a retrain when the window drifts (else only alert). */
  readonly enabled: boolean;
  /**
   * Minimum time between two RETRAIN requests, and between two alerts for one drift that does not end (a
   * reminder, and with `enabled` another retrain, once the cooldown has passed).
   */
  readonly cooldownMs: number;
}

export interface DriftPolicyState {
  /** The next drifted window raises an alert: true at start and after a window that did not drift. */
  readonly armed: boolean;
  readonly lastAlertAt: number | null;
  /** When a RETRAIN was last requested; seed it from a durable record to keep the cooldown across restarts. */
  readonly lastRetrainAt: number | null;
  /** A drift was alerted as COOLDOWN and, while it lasts, gets its retrain once the cooldown has passed. */
  readonly retrainDeferred: boolean;
}

export interface DriftDecision {
  /** Publish a `monitoring.drift` event carrying `action` (and with RETRAIN_REQUESTED a RETRAIN command). */
  readonly alert: boolean;
  readonly action: DriftAction;
  /** Why, in words (for the log). */
  readonly reason: string;
  /** The policy's state once this decision is carried out. */
  readonly state: DriftPolicyState;
}

export const INITIAL_DRIFT_POLICY_STATE: DriftPolicyState = {
  armed: true,
  lastAlertAt: null,
  lastRetrainAt: null,
  retrainDeferred: false,
};

function validateRetrainOptions(options: DriftRetrainOptions): void {
  if (typeof options.enabled !== 'boolean') invalid(`retrain enabled must be a boolean`);
  if (!(Number.isFinite(options.cooldownMs) && options.cooldownMs >= 0)) {
    invalid(`cooldownMs must be a number >= 0, got ${options.cooldownMs}`);
  }
}

/**
 * The decision for one evaluation of the window, as a pure function of the state before it:
 * - no report yet (window filling): nothing, state unchanged;
 * - not drifted: NONE, no alert, and the policy re-arms;
 * - drifted and armed, or drifted and the last alert is at least `cooldownMs` old: one alert — ALERTED when
 *   retraining is disabled, else RETRAIN_REQUESTED unless a retrain was requested less than `cooldownMs`
 *   ago (COOLDOWN);
 * - drifted, alerted as COOLDOWN, and the retrain cooldown has now passed: one alert, RETRAIN_REQUESTED
 *   (the drift that the cooldown held back still needs its retrain);
 * - drifted otherwise (the same drift, already alerted): NONE, no alert.
 * So a stream that stays drifted alerts once per cooldown, and however it flaps, RETRAIN is requested at
 * most once per cooldown. Times are epoch ms; a clock going backwards suppresses rather than repeats.
 */
export function decideDriftAction(
  state: DriftPolicyState,
  report: { readonly drifted: boolean } | null,
  now: number,
  options: DriftRetrainOptions,
): DriftDecision {
  validateRetrainOptions(options);
  if (!Number.isFinite(now)) invalid(`now must be a finite time, got ${now}`);
  const cd = options.cooldownMs;
  if (report === null) {
    return { alert: false, action: 'NONE', reason: 'window not full yet', state };
  }
  if (!report.drifted) {
    return {
      alert: false,
      action: 'NONE',
      reason: 'below the drift threshold',
      state: { ...state, armed: true, retrainDeferred: false },
    };
  }
  const retrainDue = state.lastRetrainAt === null || now - state.lastRetrainAt >= cd;
  const reminder = state.lastAlertAt !== null && now - state.lastAlertAt >= cd;
  const deferredDue = options.enabled && state.retrainDeferred && retrainDue;
  if (!state.armed && !reminder && !deferredDue) {
    return {
      alert: false,
      action: 'NONE',
      reason: `still drifted; alerted at ${new Date(state.lastAlertAt ?? now).toISOString()}`,
      state,
    };
  }
  const what = state.armed
    ? 'window drifted'
    : reminder
      ? `still drifted ${cd} ms after the last alert`
      : 'still drifted when the retrain cooldown ended';
  if (!options.enabled) {
    return {
      alert: true,
      action: 'ALERTED',
      reason: `${what}; automatic retraining is disabled`,
      state: { ...state, armed: false, lastAlertAt: now, retrainDeferred: false },
    };
  }
  if (!retrainDue) {
    return {
      alert: true,
      action: 'COOLDOWN',
      reason: `${what}; a retrain was requested at ${new Date(state.lastRetrainAt).toISOString()}, within the ${cd} ms cooldown`,
      state: { ...state, armed: false, lastAlertAt: now, retrainDeferred: true },
    };
  }
  return {
    alert: true,
    action: 'RETRAIN_REQUESTED',
    reason: `${what}; retrain requested`,
    state: { armed: false, lastAlertAt: now, lastRetrainAt: now, retrainDeferred: false },
  };
}

/**
 * `decideDriftAction` with its state kept. `decide` does not change the state; `commit` adopts a decision
 * once its event (and command) are published — after the Kafka transaction commits, so an aborted batch
 * alerts again when it is retried.
 */
export class DriftRetrainPolicy {
  private current: DriftPolicyState;

  constructor(
    readonly options: DriftRetrainOptions,
    initial: Partial<DriftPolicyState> = {},
  ) {
    validateRetrainOptions(options);
    this.current = { ...INITIAL_DRIFT_POLICY_STATE, ...initial };
  }

  get state(): DriftPolicyState {
    return this.current;
  }

  decide(report: { readonly drifted: boolean } | null, now: number): DriftDecision {
    return decideDriftAction(this.current, report, now, this.options);
  }

  commit(decision: DriftDecision): void {
    this.current = decision.state;
  }
}
