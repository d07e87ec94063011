import {
  columnCheck,
  featureSetId,
  type ColumnCheck,
  type ColumnSpec,
  type DatasetSchema,
} from '@netsentry/dataset';
import type { Column, Frame } from '@netsentry/ml';
import type { RecordErrorCode } from './record-error';

export type Rejection = { readonly code: RecordErrorCode; readonly reason: string };

interface CompiledColumn {
  readonly spec: ColumnSpec;
  readonly index: number;
  readonly check: ColumnCheck;
}

/**
 * The dataset schema's checks for live records, compiled once per served model: every feature present and
 * nothing else (the target and dropped columns may ride along, as in a replayed labelled file; flat JSON may
 * carry the shipper's own keys), each value through the schema's column check (`columnCheck`, the same rules
 * as a CSV cell). Accepted rows are written straight into a column frame for scoring.
 */
export class RecordChecker {
  private readonly columns: readonly CompiledColumn[];
  private readonly byName: ReadonlyMap<string, CompiledColumn>;
  private readonly ignored: ReadonlySet<string>;
  private readonly flatIgnored: ReadonlySet<string>;
  readonly features: readonly string[];
  /** The id of `features`' order, which dense records must name (`featureSetId`). */
  readonly featureSet: string;

  constructor(
    readonly schema: DatasetSchema,
    options: { ignoredFlatKeys?: readonly string[] } = {},
  ) {
    this.columns = schema.features.map((spec, index) => ({ spec, index, check: columnCheck(schema, spec) }));
    this.byName = new Map(this.columns.map((c) => [c.spec.name, c]));
    this.ignored = new Set([schema.target.column, ...schema.drop]);
    this.flatIgnored = new Set(options.ignoredFlatKeys ?? []);
    this.features = schema.features.map((c) => c.name);
    this.featureSet = featureSetId(this.features);
  }

  /** A frame builder for up to `capacity` rows. */
  frame(capacity: number): FrameBuilder {
    return new FrameBuilder(
      this.columns.map((c) => c.spec),
      capacity,
    );
  }

  /** Checks one record's features and appends it to `out`; returns the rejection instead when it fails. */
  append(features: Readonly<Record<string, unknown>>, flat: boolean, out: FrameBuilder): Rejection | null {
    let seen = 0;
    for (const key in features) {
      if (this.byName.has(key)) seen++;
      else if (!this.ignored.has(key) && !(flat && this.flatIgnored.has(key))) {
        return {
          code: 'UNEXPECTED_FEATURE',
          reason: `unexpected feature '${key}' (not a column of '${this.schema.name}')`,
        };
      }
    }
    if (seen < this.columns.length) {
      const absent = this.columns.filter((c) => !(c.spec.name in features)).map((c) => `'${c.spec.name}'`);
      const more = absent.length > 5 ? ` and ${absent.length - 5} more` : '';
      return {
        code: 'MISSING_FEATURE',
        reason: `missing feature${absent.length > 1 ? 's' : ''} ${absent.slice(0, 5).join(', ')}${more}`,
      };
    }
    const row = out.rows;
    for (const column of this.columns) {
      const checked = column.check(features[column.spec.name]);
      if (!checked.ok) return { code: checked.code, reason: checked.reason };
      out.set(column.index, row, checked.value);
    }
    out.commit();
    return null;
  }

  /**
   * The dense form: `values` in the order `featureSet` names, which must be this schema's; each value through
   * the same column checks as the map form.
   */
  appendDense(featureSet: string, values: readonly unknown[], out: FrameBuilder): Rejection | null {
    if (featureSet !== this.featureSet) {
      return {
        code: 'UNKNOWN_FEATURE_SET',
        reason: `feature set '${featureSet}' is not the served order of '${this.schema.name}' (${this.featureSet}; GET /features)`,
      };
    }
    if (values.length !== this.columns.length) {
      return {
        code: 'WRONG_VALUE_COUNT',
        reason: `${values.length} values for the ${this.columns.length} features of '${this.schema.name}'`,
      };
    }
    const row = out.rows;
    for (const column of this.columns) {
      const checked = column.check(values[column.index]);
      if (!checked.ok) return { code: checked.code, reason: checked.reason };
      out.set(column.index, row, checked.value);
    }
    out.commit();
    return null;
  }
}

/** Typed column buffers filled row by row; `frame()` views the committed rows without copying numbers. */
export class FrameBuilder {
  private readonly numeric: (Float64Array | null)[];
  private readonly categorical: ((string | null)[] | null)[];
  private committed = 0;

  constructor(
    private readonly specs: readonly ColumnSpec[],
    readonly capacity: number,
  ) {
    this.numeric = specs.map((s) => (s.type === 'numeric' ? new Float64Array(capacity) : null));
    this.categorical = specs.map((s) => (s.type === 'numeric' ? null : new Array<string | null>(capacity)));
  }

  get rows(): number {
    return this.committed;
  }

  /** Writes a value the column check returned (a number for numeric columns, else a spelling or null). */
  set(column: number, row: number, value: number | string | null): void {
    const num = this.numeric[column];
    if (num !== null && num !== undefined) num[row] = value === null ? Number.NaN : (value as number);
    else this.categorical[column]![row] = value as string | null;
  }

  commit(): void {
    this.committed++;
  }

  frame(): Frame {
    const rows = this.committed;
    const columns = this.specs.map((spec, j): Column => {
      const num = this.numeric[j];
      if (num !== null && num !== undefined) {
        return { kind: 'numeric', name: spec.name, values: num.subarray(0, rows) };
      }
      const cat = this.categorical[j]!;
      return { kind: 'categorical', name: spec.name, values: rows === cat.length ? cat : cat.slice(0, rows) };
    });
    return { rows, columns };
  }
}
