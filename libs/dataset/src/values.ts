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

/**
 * Checks one raw CSV cell against its column and returns the typed value: a number for numeric columns,
 * the listed spelling for binary and categorical ones, `null` for missing.
 */
export function checkCell(schema: DatasetSchema, column: ColumnSpec, raw: string): CellCheck {
  const text = raw.trim();
  if (isMissing(schema, text)) {
    return column.nullable ? { ok: true, value: null } : { ok: false, reason: `${column.name} is missing` };
  }
  switch (column.type) {
    case 'numeric': {
      if (!NUMBER.test(text)) return { ok: false, reason: `${column.name}: '${text}' is not a number` };
      const value = Number(text);
      if (!Number.isFinite(value)) return { ok: false, reason: `${column.name}: '${text}' is not finite` };
      if (column.integer && !Number.isInteger(value)) {
        return { ok: false, reason: `${column.name}: ${text} is not an integer` };
      }
      if (column.min !== undefined && value < column.min) {
        return { ok: false, reason: `${column.name}: ${text} < min ${column.min}` };
      }
      if (column.max !== undefined && value > column.max) {
        return { ok: false, reason: `${column.name}: ${text} > max ${column.max}` };
      }
      if (column.values && !column.values.includes(value)) {
        return { ok: false, reason: `${column.name}: ${text} not in {${column.values.join(', ')}}` };
      }
      return { ok: true, value };
    }
    case 'binary': {
      const match = column.values.find((v) => sameValue(text, v));
      return match !== undefined
        ? { ok: true, value: match }
        : { ok: false, reason: `${column.name}: '${text}' not in {${column.values.join(', ')}}` };
    }
    case 'categorical': {
      const match = column.values?.find((v) => sameValue(text, v));
      if (match !== undefined) return { ok: true, value: match };
      if (column.values && column.unknown === 'reject') {
        return { ok: false, reason: `${column.name}: '${text}' is not a known category` };
      }
      return { ok: true, value: text };
    }
  }
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
