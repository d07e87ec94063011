import type { ColumnSpec, ColumnType, DatasetSchema } from '@netsentry/dataset';
import { classCounts, type ClassCounts } from './class-counts';
import { encodeBinary, fitOneHot, oneHotLookup, UNKNOWN_CATEGORY } from './categorical-encoder';
import { PreprocessingError } from './errors';
import { DEFAULT_MAX_DONORS, fitKnnImputer, knnImpute, type KnnImputerModel } from './knn-imputer';
import { fitMedianImputer, medianImpute } from './median-imputer';
import {
  MISSING_SENTINEL_REPLACEMENT,
  nudgeMissingSentinel,
  XGBOOST_MISSING_VALUE,
} from './missing-sentinel';
import { fitRobustScale, type RobustScale } from './robust-scaler';
import type { Column, Frame, LabelledFrame } from '../frame';

/**
 * The fitted preprocessor: one portable, versioned, plain-JSON artifact that transform writes and
 * inference loads, and one function, `applyPreprocessor`, that both use.
 *
 * Steps, in order: (1) numeric and binary columns (binary as 0 = the schema's first value, 1 = its second)
 * are imputed together, KNN (k=3) or median; a column with no value at fit is dropped; (2) numeric columns
 * are robust-scaled (median / IQR, fit on the imputed train); (3) categorical columns are one-hot encoded
 * with an `__unknown__` bucket (missing → unknown); (4) every exact -1 is nudged to -0.9999999999999999 so
 * the XGBoost engine (missing = -1) never sees a real value as missing. Output: row-major Float64Array,
 * no NaN, no -1.
 */
export const PREPROCESSOR_FORMAT = 'netsentry/preprocessor@1';

export type ImputationStrategy = 'knn' | 'median';

export type ColumnStep =
  | {
      readonly kind: 'numeric';
      readonly column: string;
      readonly field: string;
      /** Set when the column had no value at fit (sklearn drops it too); such a column has no output. */
      readonly dropped: boolean;
      readonly scale: RobustScale;
    }
  | {
      readonly kind: 'binary';
      readonly column: string;
      readonly field: string;
      readonly dropped: boolean;
      /** values[0] ↦ 0, values[1] ↦ 1. */
      readonly values: readonly [string, string];
    }
  | {
      readonly kind: 'categorical';
      readonly column: string;
      readonly field: string;
      /** Known categories in output order; `__unknown__` follows them. */
      readonly categories: readonly string[];
    };

export interface FittedPreprocessor {
  readonly format: typeof PREPROCESSOR_FORMAT;
  readonly schema: { readonly name: string; readonly sha256: string };
  readonly fit: { readonly rows: number; readonly classCounts: ClassCounts; readonly seed: number };
  /** The feature columns the preprocessor reads, in order (looked up by name, else by field). */
  readonly inputColumns: readonly {
    readonly name: string;
    readonly field: string;
    readonly type: ColumnType;
  }[];
  readonly imputation: {
    readonly strategy: ImputationStrategy;
    readonly k: number;
    /** The numeric and binary input columns, in the order of the imputation block. */
    readonly columns: readonly string[];
    /**
     * knn: the fit means (used when a row shares no coordinate with any donor); median: the medians.
     * null for a column with no value at fit.
     */
    readonly fill: readonly (number | null)[];
    /**
     * knn only: the donor rows over `columns` (null = missing), a seeded sample of at most `maxDonors` fit
     * rows — KNN imputation at inference needs them.
     */
    readonly donors: {
      readonly sampledFrom: number;
      readonly seed: number;
      readonly rows: readonly (readonly (number | null)[])[];
    } | null;
  };
  readonly steps: readonly ColumnStep[];
  readonly outputFeatures: readonly string[];
  readonly missingSentinel: { readonly value: number; readonly replacement: number };
}

/** A labelled training split. Fit accepts only this, so a test set cannot be fitted on by accident. */
export interface TrainSplit extends LabelledFrame {
  readonly split: 'train';
}

/** Marks a labelled frame as the training split (call it where the train/test split is read). */
export function asTrainSplit(train: LabelledFrame): TrainSplit {
  return { ...train, split: 'train' };
}

export interface PreprocessorOptions {
  readonly imputation?: ImputationStrategy;
  /** Neighbours for KNN imputation; default 3. */
  readonly k?: number;
  /** Donor rows kept for KNN imputation; default 5,000. */
  readonly maxDonors?: number;
  readonly seed?: number;
}

export interface PreprocessedMatrix {
  /** Row-major `rows × cols`. */
  readonly X: Float64Array;
  readonly rows: number;
  readonly cols: number;
  readonly featureNames: readonly string[];
}

function findColumn(frame: Frame, spec: { readonly name: string; readonly field: string }): Column {
  const found =
    frame.columns.find((c) => c.name === spec.name) ?? frame.columns.find((c) => c.name === spec.field);
  if (!found) throw new PreprocessingError('MISSING_COLUMN', `the frame has no column '${spec.name}'`);
  return found;
}

/** The imputation block: numeric and binary columns as numbers, NaN for missing. */
function imputationBlock(
  frame: Frame,
  specs: readonly {
    readonly name: string;
    readonly field: string;
    readonly kind: 'numeric' | 'binary';
    readonly values?: readonly [string, string];
  }[],
): Float64Array {
  const n = frame.rows;
  const p = specs.length;
  const X = new Float64Array(n * p);
  specs.forEach((spec, c) => {
    const col = findColumn(frame, spec);
    if (spec.kind === 'numeric') {
      if (col.kind !== 'numeric') {
        throw new PreprocessingError(
          'COLUMN_KIND',
          `column '${spec.name}' must be numeric, the frame holds strings`,
        );
      }
      for (let r = 0; r < n; r++) X[r * p + c] = col.values[r]!;
      return;
    }
    const values = spec.values!;
    for (let r = 0; r < n; r++) {
      const raw = col.kind === 'numeric' ? col.values[r]! : (col.values[r] ?? null);
      try {
        X[r * p + c] = encodeBinary(values, raw);
      } catch (e) {
        if (e instanceof PreprocessingError) {
          throw new PreprocessingError('INVALID_VALUE', `row ${r}, column '${spec.name}': ${e.message}`);
        }
        throw e;
      }
    }
  });
  return X;
}

function categoricalValues(
  frame: Frame,
  spec: { readonly name: string; readonly field: string },
): readonly (string | null)[] {
  const col = findColumn(frame, spec);
  if (col.kind === 'categorical') return col.values;
  return Array.from(col.values, (v) => (Number.isNaN(v) ? null : String(v)));
}

type BlockSpec = {
  name: string;
  field: string;
  kind: 'numeric' | 'binary';
  values?: readonly [string, string];
};

function blockSpecs(features: readonly ColumnSpec[]): BlockSpec[] {
  const out: BlockSpec[] = [];
  for (const f of features) {
    if (f.type === 'numeric') out.push({ name: f.name, field: f.field, kind: 'numeric' });
    else if (f.type === 'binary')
      out.push({ name: f.name, field: f.field, kind: 'binary', values: f.values });
  }
  return out;
}

/**
 * Fits every step on the training split. Fit takes a `TrainSplit`; everything else (test, live records)
 * goes through `applyPreprocessor` only.
 */
export function fitPreprocessor(
  train: TrainSplit,
  schema: DatasetSchema,
  options: PreprocessorOptions = {},
): FittedPreprocessor {
  if (train.split !== 'train')
    throw new PreprocessingError('INVALID_ARGUMENT', 'fitPreprocessor takes the training split only');
  const frame = train.features;
  if (train.labels.length !== frame.rows) {
    throw new PreprocessingError('INVALID_ARGUMENT', `${train.labels.length} labels for ${frame.rows} rows`);
  }
  if (frame.rows === 0)
    throw new PreprocessingError('NOT_ENOUGH_SAMPLES', 'cannot fit on an empty training split');
  const strategy = options.imputation ?? 'knn';
  const k = options.k ?? 3;
  const seed = options.seed ?? 42;
  const features = schema.features;
  const specs = blockSpecs(features);
  const p = specs.length;
  const n = frame.rows;
  const block = imputationBlock(frame, specs);

  let imputed: Float64Array;
  let fill: Float64Array;
  let valid: Uint8Array;
  let donors: FittedPreprocessor['imputation']['donors'] = null;
  if (strategy === 'knn') {
    const model = fitKnnImputer(block, n, p, { k, maxDonors: options.maxDonors ?? DEFAULT_MAX_DONORS, seed });
    imputed = knnImpute(model, block, n);
    fill = model.means;
    valid = model.valid;
    const rows: (number | null)[][] = [];
    for (let d = 0; d < model.donorCount; d++) {
      rows.push(Array.from(model.donors.subarray(d * p, (d + 1) * p), toJsonNumber));
    }
    donors = { sampledFrom: n, seed, rows };
  } else {
    const model = fitMedianImputer(block, n, p);
    imputed = medianImpute(model, block, n);
    fill = model.medians;
    valid = model.valid;
  }

  const steps: ColumnStep[] = [];
  const outputFeatures: string[] = [];
  let b = 0;
  for (const f of features) {
    if (f.type === 'categorical') {
      const { categories } = fitOneHot(categoricalValues(frame, f), f.values, {
        ...(f.maxCategories === undefined ? {} : { maxCategories: f.maxCategories }),
        ...(f.minFrequency === undefined ? {} : { minFrequency: f.minFrequency }),
      });
      steps.push({ kind: 'categorical', column: f.name, field: f.field, categories });
      for (const c of categories) outputFeatures.push(`${f.field}=${c}`);
      outputFeatures.push(`${f.field}=${UNKNOWN_CATEGORY}`);
      continue;
    }
    const c = b++;
    const dropped = valid[c] === 0;
    if (!dropped) outputFeatures.push(f.field);
    if (f.type === 'binary') {
      steps.push({ kind: 'binary', column: f.name, field: f.field, dropped, values: f.values });
      continue;
    }
    const column = new Float64Array(n);
    for (let r = 0; r < n; r++) column[r] = imputed[r * p + c]!;
    steps.push({ kind: 'numeric', column: f.name, field: f.field, dropped, scale: fitRobustScale(column) });
  }

  return {
    format: PREPROCESSOR_FORMAT,
    schema: { name: schema.name, sha256: schema.sha256 },
    fit: { rows: n, classCounts: classCounts(train.labels), seed },
    inputColumns: features.map((f) => ({ name: f.name, field: f.field, type: f.type })),
    imputation: {
      strategy,
      k,
      columns: specs.map((s) => s.name),
      fill: Array.from(fill, toJsonNumber),
      donors,
    },
    steps,
    outputFeatures,
    missingSentinel: { value: XGBOOST_MISSING_VALUE, replacement: MISSING_SENTINEL_REPLACEMENT },
  };
}

function toJsonNumber(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}

interface Runtime {
  readonly specs: BlockSpec[];
  readonly knn: KnnImputerModel | null;
  readonly fill: Float64Array;
  readonly valid: Uint8Array;
}

// The typed-array form of an artifact, built once per loaded artifact (inference applies it per batch).
const runtimes = new WeakMap<FittedPreprocessor, Runtime>();

function runtime(fitted: FittedPreprocessor): Runtime {
  const cached = runtimes.get(fitted);
  if (cached) return cached;
  const byName = new Map(fitted.inputColumns.map((c) => [c.name, c]));
  const specs: BlockSpec[] = fitted.imputation.columns.map((name) => {
    const step = fitted.steps.find((s) => s.column === name);
    const col = byName.get(name);
    if (!step || !col || step.kind === 'categorical') {
      throw new PreprocessingError(
        'ARTIFACT_INVALID',
        `imputation column '${name}' has no numeric or binary step`,
      );
    }
    return step.kind === 'binary'
      ? { name, field: col.field, kind: 'binary', values: step.values }
      : { name, field: col.field, kind: 'numeric' };
  });
  const p = specs.length;
  const fill = Float64Array.from(fitted.imputation.fill, (v) => v ?? NaN);
  const valid = Uint8Array.from(fitted.imputation.fill, (v) => (v === null ? 0 : 1));
  let knn: KnnImputerModel | null = null;
  const d = fitted.imputation.donors;
  if (fitted.imputation.strategy === 'knn' && d) {
    const donors = new Float64Array(d.rows.length * p);
    d.rows.forEach((row, r) => row.forEach((v, c) => (donors[r * p + c] = v ?? NaN)));
    knn = { k: fitted.imputation.k, features: p, donors, donorCount: d.rows.length, means: fill, valid };
  }
  const result = { specs, knn, fill, valid };
  runtimes.set(fitted, result);
  return result;
}

/**
 * Applies a fitted preprocessor to any frame — train, test or a batch of live records — with exactly the
 * same code. The frame must hold every input column (by name, or by Avro field name); extra columns (the
 * target, dropped ones) are ignored.
 */
export function applyPreprocessor(fitted: FittedPreprocessor, frame: Frame): PreprocessedMatrix {
  const rt = runtime(fitted);
  const n = frame.rows;
  const p = rt.specs.length;
  const block = imputationBlock(frame, rt.specs);
  const imputed = rt.knn
    ? knnImpute(rt.knn, block, n)
    : medianImpute({ features: p, medians: rt.fill, valid: rt.valid }, block, n);

  const cols = fitted.outputFeatures.length;
  const X = new Float64Array(n * cols);
  let o = 0; // output column
  let b = 0; // imputation-block column
  for (const step of fitted.steps) {
    if (step.kind === 'categorical') {
      const lookup = oneHotLookup(step);
      const values = categoricalValues(frame, { name: step.column, field: step.field });
      for (let r = 0; r < n; r++) X[r * cols + o + lookup(values[r] ?? null)] = 1;
      o += step.categories.length + 1;
      continue;
    }
    const c = b++;
    if (step.dropped) continue;
    if (step.kind === 'binary') {
      for (let r = 0; r < n; r++) X[r * cols + o] = imputed[r * p + c]!;
    } else {
      const { center, scale } = step.scale;
      for (let r = 0; r < n; r++) X[r * cols + o] = (imputed[r * p + c]! - center) / scale;
    }
    o++;
  }
  if (o !== cols)
    throw new PreprocessingError(
      'ARTIFACT_INVALID',
      `steps produce ${o} features, outputFeatures lists ${cols}`,
    );
  for (let i = 0; i < X.length; i++) {
    if (Number.isNaN(X[i])) {
      throw new PreprocessingError(
        'INVALID_VALUE',
        `row ${Math.floor(i / cols)}: '${fitted.outputFeatures[i % cols]}' could not be imputed`,
      );
    }
  }
  nudgeMissingSentinel(X);
  return { X, rows: n, cols, featureNames: fitted.outputFeatures };
}
