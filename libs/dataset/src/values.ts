import type { ColumnSpec, DatasetSchema } from './schema-types';

export type CellValue = number | string | null;

export type CellCheck =
  { readonly ok: true; readonly value: CellValue } | { readonly ok: false; readonly reason: string };

/** Whether a raw cell is one of the schema's missing markers (`na`, empty, …). */
export function isMissing(schema: DatasetSchema, raw: string): boolean {
  return schema.missing.includes(raw.trim());
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The number a trimmed cell spells (`-1`, `0.5`, `1e3`), or undefined when it is not a finite number. */
export function readNumber(text: string): number | undefined {
  if (!NUMBER.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Matches a raw cell against a listed value, numerically when both read as numbers (`1.0` is `1`). */
function sameValue(raw: string, listed: string): boolean {
  if (raw === listed) return true;
  return NUMBER.test(raw) && NUMBER.test(listed) && Number(raw) === Number(listed);
}

/** Why a value does not fit its column (dead-letter and metric reason codes of live records). */
export type ValueProblem = 'NULL_NOT_ALLOWED' | 'WRONG_TYPE' | 'NOT_FINITE' | 'OUT_OF_RANGE' | 'NOT_ALLOWED';

export type ValueCheck =
  | { readonly ok: true; readonly value: CellValue }
  | { readonly ok: false; readonly code: ValueProblem; readonly reason: string };

/** A column's checks, compiled once: a raw CSV cell, or a typed value (a number from Avro or JSON), in. */
export type ColumnCheck = (value: unknown) => ValueCheck;

const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/**
 * The column's rules as one function, built once per column: missing markers and null are missing (refused
 * where the column is not nullable); numeric values must be finite numbers (numbers as such, or text that
 * reads as one) within the declared integer/min/max/values; binary and categorical values are matched to
 * their listed spellings, numerically when both read as numbers (`1.0` is `1`), by a lookup rather than a
 * scan. `checkCell` and live records both check through it, so a CSV row and a live record of the same
 * values get the same verdict.
 */
export function columnCheck(schema: DatasetSchema, column: ColumnSpec): ColumnCheck {
  const missing = new Set(schema.missing);
  const name = column.name;
  const isMissingValue = (value: unknown): boolean =>
    value === null || value === undefined || (typeof value === 'string' && missing.has(value.trim()));
  const missingCheck: ValueCheck = column.nullable
    ? { ok: true, value: null }
    : { ok: false, code: 'NULL_NOT_ALLOWED', reason: `${name} is missing` };

  if (column.type === 'numeric') {
    const allowed = column.values === undefined ? null : new Set(column.values);
    return (value) => {
      if (isMissingValue(value)) return missingCheck;
      let text: string;
      let n: number;
      if (typeof value === 'number') {
        text = String(value);
        n = value;
        if (!Number.isFinite(n))
          return { ok: false, code: 'NOT_FINITE', reason: `${name}: '${text}' is not finite` };
      } else if (typeof value === 'string') {
        text = value.trim();
        if (!NUMBER.test(text)) {
          const code = NON_FINITE.test(text) ? 'NOT_FINITE' : 'WRONG_TYPE';
          return { ok: false, code, reason: `${name}: '${text}' is not a number` };
        }
        n = Number(text);
        if (!Number.isFinite(n))
          return { ok: false, code: 'NOT_FINITE', reason: `${name}: '${text}' is not finite` };
      } else {
        return {
          ok: false,
          code: 'WRONG_TYPE',
          reason: `${name}: a ${typeof value} where a number is expected`,
        };
      }
      if (column.integer && !Number.isInteger(n)) {
        return { ok: false, code: 'WRONG_TYPE', reason: `${name}: ${text} is not an integer` };
      }
      if (column.min !== undefined && n < column.min) {
        return { ok: false, code: 'OUT_OF_RANGE', reason: `${name}: ${text} < min ${column.min}` };
      }
      if (column.max !== undefined && n > column.max) {
        return { ok: false, code: 'OUT_OF_RANGE', reason: `${name}: ${text} > max ${column.max}` };
      }
      if (allowed !== null && !allowed.has(n)) {
        return {
          ok: false,
          code: 'NOT_ALLOWED',
          reason: `${name}: ${text} not in {${column.values!.join(', ')}}`,
        };
      }
      return { ok: true, value: n };
    };
  }

  // sameValue's first match by lookup: a numeric text matches the first listed number equal to it; any
  // other text matches only its own spelling.
  const byNumber = new Map<number, string>();
  const bySpelling = new Set<string>();
  for (const v of column.values ?? []) {
    if (NUMBER.test(v)) {
      if (!byNumber.has(Number(v))) byNumber.set(Number(v), v);
    } else bySpelling.add(v);
  }
  const lookup = (text: string): string | undefined =>
    NUMBER.test(text) ? byNumber.get(Number(text)) : bySpelling.has(text) ? text : undefined;
  const refuse =
    column.type === 'binary'
      ? (text: string): ValueCheck => ({
          ok: false,
          code: 'NOT_ALLOWED',
          reason: `${name}: '${text}' not in {${column.values.join(', ')}}`,
        })
      : column.values !== undefined && column.unknown === 'reject'
        ? (text: string): ValueCheck => ({
            ok: false,
            code: 'NOT_ALLOWED',
            reason: `${name}: '${text}' is not a known category`,
          })
        : null;
  return (value) => {
    if (isMissingValue(value)) return missingCheck;
    let text: string;
    if (typeof value === 'string') text = value.trim();
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
      text = String(value);
    else
      return {
        ok: false,
        code: 'WRONG_TYPE',
        reason: `${name}: a ${typeof value} where a category is expected`,
      };
    const match = lookup(text);
    if (match !== undefined) return { ok: true, value: match };
    return refuse === null ? { ok: true, value: text } : refuse(text);
  };
}

const compiled = new WeakMap<ColumnSpec, ColumnCheck>();

/**
 * Checks one raw CSV cell against its column and returns the typed value: a number for numeric columns,
 * the listed spelling for binary and categorical ones, `null` for missing.
 */
export function checkCell(schema: DatasetSchema, column: ColumnSpec, raw: string): CellCheck {
  let check = compiled.get(column);
  if (check === undefined) compiled.set(column, (check = columnCheck(schema, column)));
  const result = check(raw);
  return result.ok ? result : { ok: false, reason: result.reason };
}

/** Whether a target label denotes the positive (malicious) class. */
export function isPositiveLabel(schema: DatasetSchema, label: string): boolean {
  const { kind, values } = schema.target.rule;
  const listed = values.some((v) => sameValue(label.trim(), v));
  return kind === 'positive' ? listed : !listed;
}

/** The target's column spec (its `field` keys the target in stored records). */
export function targetColumn(schema: DatasetSchema): ColumnSpec {
  const column = schema.columns.find((c) => c.name === schema.target.column);
  if (!column)
    throw new Error(`dataset schema '${schema.name}' has no target column '${schema.target.column}'`);
  return column;
}
