/**
 * The in-memory form of a dataset schema file (`data/schemas/*.yaml`, format `netsentry/dataset-schema@1`).
 * Produced only by `parseDatasetSchema`, so every value here has already been checked.
 */

export const DATASET_SCHEMA_FORMAT = 'netsentry/dataset-schema@1';

export type ColumnType = 'numeric' | 'categorical' | 'binary';

interface ColumnBase {
  /** The column name exactly as it appears in the CSV header (may contain spaces and `/`). */
  readonly name: string;
  /** A name safe for Avro fields and MongoDB keys (`Flow Bytes/s` → `Flow_Bytes_s`), unique in the schema. */
  readonly field: string;
  readonly description?: string;
  /** Whether a missing value is acceptable in this column (it is imputed later). */
  readonly nullable: boolean;
}

export interface NumericColumn extends ColumnBase {
  readonly type: 'numeric';
  readonly min?: number;
  readonly max?: number;
  readonly integer: boolean;
  /** A closed set of allowed values for a discrete numeric column (e.g. -1, 0, 1). */
  readonly values?: readonly number[];
}

export interface CategoricalColumn extends ColumnBase {
  readonly type: 'categorical';
  /** Known categories, as strings. Absent: any value is a category. */
  readonly values?: readonly string[];
  /**
   * What a value outside `values` means: `bucket` — a legitimate but unseen category, encoded into the
   * explicit unknown bucket; `reject` — invalid data.
   */
  readonly unknown: 'bucket' | 'reject';
  /**
   * One-hot encoding keeps at most this many categories (`max_categories`), the most frequent in the
   * training split (ties: the earlier in `values`, else in sorted order); the rest go to the unknown
   * bucket. Absent: every category seen in training is kept.
   */
  readonly maxCategories?: number;
  /**
   * Categories seen fewer times than this in the training split go to the unknown bucket
   * (`min_frequency`): a count when ≥ 1, a share of the training rows when below 1.
   */
  readonly minFrequency?: number;
}

export interface BinaryColumn extends ColumnBase {
  readonly type: 'binary';
  /** Exactly two allowed values, as strings, in the order given in the file. */
  readonly values: readonly [string, string];
}

export type ColumnSpec = NumericColumn | CategoricalColumn | BinaryColumn;

export interface TargetSpec {
  readonly column: string;
  /**
   * How a raw label decides the positive (malicious) class: either the listed values are positive, or
   * every value except the listed ones is (NSL-KDD: everything but `normal` is an attack).
   */
  readonly rule: { readonly kind: 'positive' | 'negative'; readonly values: readonly string[] };
  /** Human names of the two classes, used in predictions and reports. */
  readonly labels: { readonly positive: string; readonly negative: string };
}

export interface DatasetSource {
  readonly name?: string;
  readonly url?: string;
  readonly licence?: string;
  readonly citation?: string;
}

export interface DatasetSchema {
  readonly format: typeof DATASET_SCHEMA_FORMAT;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly source?: DatasetSource;
  /** Raw tokens that mean "missing" (compared after trimming, case-sensitive). */
  readonly missing: readonly string[];
  readonly target: TargetSpec;
  /** Columns present in files but neither feature nor target (e.g. NSL-KDD `difficulty`). */
  readonly drop: readonly string[];
  /** Every declared column in file order, the target included. */
  readonly columns: readonly ColumnSpec[];
  /** The model's inputs: `columns` without the target. */
  readonly features: readonly ColumnSpec[];
  /** sha256 of the schema file's bytes: what lineage records. */
  readonly sha256: string;
  /** Where the schema came from (a path, or `<inline>`), for messages. */
  readonly origin: string;
}
