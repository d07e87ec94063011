import type { ColumnSpec, DatasetSchema } from '@netsentry/dataset';
import type { Column, Frame } from '@netsentry/ml';

/** Why a live record was refused (the dead letter's errorCode and the `reason` label of the DLQ metric). */
export type RecordRejectCode =
  | 'MISSING_FEATURE'
  | 'UNEXPECTED_FEATURE'
  | 'WRONG_TYPE'
  | 'NOT_FINITE'
  | 'NULL_NOT_ALLOWED'
  | 'OUT_OF_RANGE'
  | 'NOT_ALLOWED';

export class RecordRejectedError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: RecordRejectCode,
    message: string,
  ) {
    super(message);
    this.name = 'RecordRejectedError';
  }
}

export type Rejection = { readonly code: RecordRejectCode; readonly reason: string };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

interface CompiledColumn {
  readonly spec: ColumnSpec;
  readonly index: number;
  /** Allowed spellings of a closed categorical/binary column, with numeric aliases (`1.0` → `1`). */
  readonly allowed: ReadonlyMap<string, string> | null;
  readonly numericValues: ReadonlySet<number> | null;
}

/**
 * The live form of the dataset schema's checks, compiled once per served model: every feature present (a
 * null or a missing marker is a missing value, refused where the column is not nullable), nothing else,
 * numbers finite and within the declared range and values, categories from a closed list where the schema
 * says unknown values are invalid (`unknown: reject`); an unseen category of an open list is kept (the
 * encoder's unknown bucket). Accepted rows are written straight into a column frame for scoring.
 */
export class RecordChecker {
  private readonly columns: readonly CompiledColumn[];
  private readonly byName: ReadonlyMap<string, CompiledColumn>;
  private readonly missing: ReadonlySet<string>;
  private readonly ignored: ReadonlySet<string>;
  readonly features: readonly string[];

  constructor(
    readonly schema: DatasetSchema,
    options: { ignoredFlatKeys?: readonly string[] } = {},
  ) {
    this.columns = schema.features.map((spec, index) => ({
      spec,
      index,
      allowed:
        spec.type === 'numeric' || spec.values === undefined
          ? null
          : new Map(spec.values.flatMap((v) => aliases(v).map((a) => [a, v] as const))),
      numericValues: spec.type === 'numeric' && spec.values !== undefined ? new Set(spec.values) : null,
    }));
    this.byName = new Map(this.columns.map((c) => [c.spec.name, c]));
    this.missing = new Set(schema.missing);
    // The target and dropped columns may ride along (a replayed labelled file): they are not features.
    this.ignored = new Set([schema.target.column, ...schema.drop]);
    this.flatIgnored = new Set(options.ignoredFlatKeys ?? []);
    this.features = schema.features.map((c) => c.name);
  }

  private readonly flatIgnored: ReadonlySet<string>;

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
      const column = this.byName.get(key);
      if (column === undefined) {
        if (this.ignored.has(key) || (flat && this.flatIgnored.has(key))) continue;
        return {
          code: 'UNEXPECTED_FEATURE',
          reason: `unexpected feature '${key}' (not a column of '${this.schema.name}')`,
        };
      }
      seen++;
    }
    if (seen < this.columns.length) {
      const absent = this.columns.filter((c) => !(c.spec.name in features)).map((c) => c.spec.name);
      return {
        code: 'MISSING_FEATURE',
        reason: `missing feature${absent.length > 1 ? 's' : ''} ${absent
          .slice(0, 5)
          .map((n) => `'${n}'`)
          .join(', ')}${absent.length > 5 ? ` and ${absent.length - 5} more` : ''}`,
      };
    }
    const row = out.rows;
    for (const column of this.columns) {
      const problem = this.write(column, features[column.spec.name], row, out);
      if (problem !== null) return problem;
    }
    out.commit();
    return null;
  }

  private write(c: CompiledColumn, value: unknown, row: number, out: FrameBuilder): Rejection | null {
    const spec = c.spec;
    const name = spec.name;
    if (
      value === null ||
      value === undefined ||
      (typeof value === 'string' && this.missing.has(value.trim()))
    ) {
      if (!spec.nullable)
        return { code: 'NULL_NOT_ALLOWED', reason: `${name} is missing and the schema does not allow it` };
      out.set(c.index, row, null);
      return null;
    }
    if (spec.type === 'numeric') {
      let n: number;
      if (typeof value === 'number') n = value;
      else if (typeof value === 'string') {
        const t = value.trim();
        if (NON_FINITE.test(t))
          return { code: 'NOT_FINITE', reason: `${name}: '${t}' is not a finite number` };
        if (!NUMBER.test(t)) return { code: 'WRONG_TYPE', reason: `${name}: '${clip(t)}' is not a number` };
        n = Number(t);
      } else if (typeof value === 'boolean') {
        return { code: 'WRONG_TYPE', reason: `${name}: a boolean where a number is expected` };
      } else return { code: 'WRONG_TYPE', reason: `${name}: ${typeof value} where a number is expected` };
      if (!Number.isFinite(n)) return { code: 'NOT_FINITE', reason: `${name}: ${n} is not a finite number` };
      if (spec.integer && !Number.isInteger(n))
        return { code: 'WRONG_TYPE', reason: `${name}: ${n} is not an integer` };
      if (spec.min !== undefined && n < spec.min)
        return { code: 'OUT_OF_RANGE', reason: `${name}: ${n} < min ${spec.min}` };
      if (spec.max !== undefined && n > spec.max)
        return { code: 'OUT_OF_RANGE', reason: `${name}: ${n} > max ${spec.max}` };
      if (c.numericValues !== null && !c.numericValues.has(n)) {
        return { code: 'NOT_ALLOWED', reason: `${name}: ${n} not in {${[...c.numericValues].join(', ')}}` };
      }
      out.set(c.index, row, n);
      return null;
    }
    let text: string;
    if (typeof value === 'string') text = value.trim();
    else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
    else if (typeof value === 'boolean') text = String(value);
    else return { code: 'WRONG_TYPE', reason: `${name}: ${typeof value} where a category is expected` };
    if (c.allowed !== null) {
      const listed = c.allowed.get(text);
      if (listed !== undefined) text = listed;
      else if (spec.type === 'binary' || (spec.type === 'categorical' && spec.unknown === 'reject')) {
        return { code: 'NOT_ALLOWED', reason: `${name}: '${clip(text)}' is not an allowed value` };
      }
    }
    out.set(c.index, row, text);
    return null;
  }
}

/** Typed column buffers filled row by row; `frame()` views the committed rows without copying. */
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
      if (num !== null && num !== undefined)
        return { kind: 'numeric', name: spec.name, values: num.subarray(0, rows) };
      const cat = this.categorical[j]!;
      return { kind: 'categorical', name: spec.name, values: rows === cat.length ? cat : cat.slice(0, rows) };
    });
    return { rows, columns };
  }
}

function aliases(listed: string): string[] {
  if (!NUMBER.test(listed)) return [listed];
  const n = Number(listed);
  return [...new Set([listed, String(n)])];
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
