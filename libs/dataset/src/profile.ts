import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import { stringify } from 'yaml';
import { checkHeader, type HeaderCheck } from './header';
import { DEFAULT_MISSING } from './schema-parser';
import type { ColumnSpec, ColumnType, DatasetSchema } from './schema-types';
import { checkCell, readNumber } from './values';

/** How often one raw value was seen in a column. */
export interface ValueCount {
  readonly value: string;
  readonly count: number;
}

/** A value the schema refuses in a column, how often, and why (the reason of its first occurrence). */
export interface RejectedValue extends ValueCount {
  readonly reason: string;
}

/** What one column of a file holds, and what the schema would make of it. */
export interface ColumnProfile {
  readonly name: string;
  /** `feature` or `target` when the schema declares it, `dropped` when it drops it, `undeclared` else. */
  readonly role: 'feature' | 'target' | 'dropped' | 'undeclared';
  /** The schema's type for the column, when declared. */
  readonly declared?: ColumnType;
  /** What the values look like: every present value a number, two distinct values, or text. */
  readonly seen: 'numeric' | 'binary' | 'categorical' | 'empty';
  /** Cells holding a value (not a missing token). */
  readonly present: number;
  /** Cells holding one of the missing tokens (or absent from a short row). */
  readonly missing: number;
  /** Among present cells, how many read as numbers. */
  readonly numeric: number;
  /** Whether every present value is a whole number (false when none are numbers). */
  readonly integer: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Distinct present values; a lower bound when `distinctCapped`. */
  readonly distinct: number;
  readonly distinctCapped: boolean;
  /** The most frequent values, most frequent first (at most `maxValues`). */
  readonly topValues: readonly ValueCount[];
  /**
   * A column spec for the schema file that accepts what was seen, in YAML flow style — for a new schema,
   * or to compare with the declared one. Categorical and binary columns list the values seen.
   */
  readonly suggested: string;
  /** Cells of this column the schema would reject (declared columns only). */
  readonly rejected: number;
  /** The rejected values, most frequent first (at most `maxValues`). */
  readonly rejectedValues: readonly RejectedValue[];
  /** Distinct rejected values (a lower bound past 10,000). */
  readonly rejectedDistinct: number;
}

export interface DataProfile {
  /** The file's header as read (trimmed). */
  readonly header: readonly string[];
  /** The schema's verdict on the header; absent without a schema. */
  readonly headerCheck?: HeaderCheck;
  readonly rows: number;
  /** Rows the schema would reject (at least one refused cell, or the wrong number of fields). */
  readonly rejectedRows: number;
  /** The first rejected rows with their line numbers and reasons. */
  readonly rejectedSample: readonly { readonly line: number; readonly reasons: readonly string[] }[];
  readonly columns: readonly ColumnProfile[];
}

export interface ProfileOptions {
  /** Check every cell against it; without one, the default missing tokens are used and nothing is refused. */
  readonly schema?: DatasetSchema;
  /** Values kept per column in `topValues` and `rejectedValues` (default 20). */
  readonly maxValues?: number;
  /**
   * Most values a suggested categorical spec lists (default 200); a column with more is suggested
   * without `values` (any value is a category).
   */
  readonly maxSuggestedValues?: number;
  /** Rejected rows kept in `rejectedSample` (default 20). */
  readonly sampleSize?: number;
  /** Called every `progressEvery` rows (default 10,000) with the rows read so far. */
  readonly onProgress?: (rows: number) => void;
  readonly progressEvery?: number;
}

/** Distinct values tracked per column; past it the column is high-cardinality and only counted so far. */
const DISTINCT_LIMIT = 10_000;

class ColumnStats {
  present = 0;
  missing = 0;
  numeric = 0;
  integer = true;
  min = Infinity;
  max = -Infinity;
  readonly counts = new Map<string, number>();
  capped = false;
  rejected = 0;
  readonly rejectedValues = new Map<string, { count: number; reason: string }>();

  constructor(
    readonly name: string,
    readonly spec: ColumnSpec | undefined,
  ) {}

  see(text: string, missing: boolean): void {
    if (missing) {
      this.missing++;
      return;
    }
    this.present++;
    const n = readNumber(text);
    if (n !== undefined) {
      this.numeric++;
      if (!Number.isInteger(n)) this.integer = false;
      if (n < this.min) this.min = n;
      if (n > this.max) this.max = n;
    }
    const seen = this.counts.get(text);
    if (seen !== undefined) this.counts.set(text, seen + 1);
    else if (this.counts.size < DISTINCT_LIMIT) this.counts.set(text, 1);
    else this.capped = true;
  }

  reject(text: string, reason: string): void {
    this.rejected++;
    const entry = this.rejectedValues.get(text);
    if (entry) entry.count++;
    else if (this.rejectedValues.size < DISTINCT_LIMIT) this.rejectedValues.set(text, { count: 1, reason });
  }
}

const byCount = <T extends { count: number; value: string }>(a: T, b: T): number =>
  b.count - a.count || a.value.localeCompare(b.value);

/** Values in a natural order for a schema file: numerically when all are numbers, else alphabetically. */
function orderedValues(values: readonly string[]): (string | number)[] {
  const numbers = values.map(readNumber);
  if (numbers.every((n) => n !== undefined)) {
    return [...new Set(numbers)].sort((a, b) => a - b);
  }
  return [...values].sort((a, b) => a.localeCompare(b));
}

function suggest(stats: ColumnStats, seen: ColumnProfile['seen'], maxSuggested: number): string {
  const values = [...stats.counts.keys()];
  let spec: Record<string, unknown>;
  if (seen === 'empty') spec = { type: 'categorical' };
  else if (seen === 'binary') spec = { type: 'binary', values: orderedValues(values) };
  else if (seen === 'numeric') {
    // A few signed whole numbers with no gap read as a discrete code (-1/0/1); a non-negative count
    // (0, 1, 3) may hold more values in the next file, so it gets a range with an open top.
    spec = { type: 'numeric', ...(stats.integer ? { integer: true } : {}) };
    const span = stats.max - stats.min + 1;
    const code = stats.min < 0 && values.length >= 3 && values.length <= 5 && span === values.length;
    if (stats.integer && code) spec.values = orderedValues(values);
    else if (stats.min >= 0) spec.min = 0;
  } else {
    spec = { type: 'categorical' };
    if (!stats.capped && values.length <= maxSuggested) spec.values = orderedValues(values);
  }
  return stringify(spec, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}

function summarise(
  stats: ColumnStats,
  role: ColumnProfile['role'],
  maxValues: number,
  maxSuggested: number,
): ColumnProfile {
  const distinct = stats.counts.size;
  const seen: ColumnProfile['seen'] =
    stats.present === 0
      ? 'empty'
      : distinct === 2 && !stats.capped
        ? 'binary'
        : stats.numeric === stats.present
          ? 'numeric'
          : 'categorical';
  const topValues = [...stats.counts.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort(byCount)
    .slice(0, maxValues);
  const rejectedValues = [...stats.rejectedValues.entries()]
    .map(([value, { count, reason }]) => ({ value, count, reason }))
    .sort(byCount)
    .slice(0, maxValues);
  return {
    name: stats.name,
    role,
    ...(stats.spec ? { declared: stats.spec.type } : {}),
    seen,
    present: stats.present,
    missing: stats.missing,
    numeric: stats.numeric,
    integer: stats.numeric > 0 && stats.integer,
    ...(stats.numeric > 0 ? { min: stats.min, max: stats.max } : {}),
    distinct,
    distinctCapped: stats.capped,
    topValues,
    suggested: suggest(stats, seen, maxSuggested),
    rejected: stats.rejected,
    rejectedValues,
    rejectedDistinct: stats.rejectedValues.size,
  };
}

/**
 * Reads a CSV once, streaming (memory stays flat but for the distinct values kept per column), and
 * describes every column of its header: how many values are missing, whether they are numbers and their
 * range, the distinct values, a column spec that would accept them, and — given a schema — which cells
 * and rows the schema would reject and whether the header fits it. Nothing is stored; this is what
 * `netsentry schema check --data` prints.
 */
export async function profileCsv(input: Readable, options: ProfileOptions = {}): Promise<DataProfile> {
  const { schema } = options;
  const maxValues = options.maxValues ?? 20;
  const maxSuggested = options.maxSuggestedValues ?? 200;
  const sampleSize = options.sampleSize ?? 20;
  const progressEvery = options.progressEvery ?? 10_000;
  const missing = new Set(schema?.missing ?? DEFAULT_MISSING);
  const parser = input.pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: false, info: true }),
  );
  let header: string[] | undefined;
  let columns: ColumnStats[] = [];
  let rows = 0;
  let rejectedRows = 0;
  const rejectedSample: { line: number; reasons: string[] }[] = [];
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const { record, info } = item;
    if (!header) {
      header = record.map((h) => h.trim());
      const seen = new Set<string>();
      columns = header.map((name) => {
        // A duplicated header name is profiled once per position; only the first is the declared one.
        const spec = seen.has(name) ? undefined : schema?.columns.find((c) => c.name === name);
        seen.add(name);
        return new ColumnStats(name, spec);
      });
      continue;
    }
    rows++;
    const reasons: string[] = [];
    if (schema && record.length !== header.length) {
      reasons.push(`expected ${header.length} fields, found ${record.length}`);
    }
    for (let i = 0; i < columns.length; i++) {
      const stats = columns[i]!;
      const text = (record[i] ?? '').trim();
      stats.see(text, missing.has(text));
      if (schema && stats.spec) {
        const check = checkCell(schema, stats.spec, text);
        if (!check.ok) {
          stats.reject(text, check.reason);
          reasons.push(check.reason);
        }
      }
    }
    if (reasons.length > 0) {
      rejectedRows++;
      if (rejectedSample.length < sampleSize) rejectedSample.push({ line: info.lines, reasons });
    }
    if (options.onProgress && rows % progressEvery === 0) options.onProgress(rows);
  }
  const roleOf = (c: ColumnStats): ColumnProfile['role'] => {
    if (c.spec) return c.spec.name === schema?.target.column ? 'target' : 'feature';
    return schema?.drop.includes(c.name) ? 'dropped' : 'undeclared';
  };
  return {
    header: header ?? [],
    ...(schema ? { headerCheck: checkHeader(schema, header ?? []) } : {}),
    rows,
    rejectedRows,
    rejectedSample,
    columns: columns.map((c) => summarise(c, roleOf(c), maxValues, maxSuggested)),
  };
}
