import type { ColumnSpec, DatasetSchema } from './schema-types';

const show = (v: unknown): string => (v === undefined ? '(none)' : JSON.stringify(v));

function changed(path: string, before: unknown, after: unknown, out: string[]): void {
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push(`${path}: ${show(before)} → ${show(after)}`);
}

const COLUMN_KEYS = [
  'type',
  'field',
  'nullable',
  'min',
  'max',
  'integer',
  'values',
  'unknown',
  'description',
] as const;

function columnChanges(before: ColumnSpec, after: ColumnSpec, out: string[]): void {
  for (const key of COLUMN_KEYS) {
    changed(
      `columns.${before.name}.${key}`,
      (before as unknown as Record<string, unknown>)[key],
      (after as unknown as Record<string, unknown>)[key],
      out,
    );
  }
}

/**
 * What differs between two versions of a dataset's schema, one line per change in the schema file's own
 * terms (`columns.URL_Length.values: [-1,0,1] → [-1,1]`, `columns added: x`). An empty list means the
 * two files differ only in text the schema does not read (comments, layout, quoting).
 */
export function describeSchemaChanges(before: DatasetSchema, after: DatasetSchema): string[] {
  const out: string[] = [];
  changed('name', before.name, after.name, out);
  changed('title', before.title, after.title, out);
  changed('description', before.description, after.description, out);
  changed('source', before.source, after.source, out);
  changed('missing', before.missing, after.missing, out);
  changed('target.column', before.target.column, after.target.column, out);
  changed(`target.${before.target.rule.kind}`, before.target.rule, after.target.rule, out);
  changed('target.labels', before.target.labels, after.target.labels, out);
  changed('drop', before.drop, after.drop, out);

  const beforeNames = before.columns.map((c) => c.name);
  const afterNames = after.columns.map((c) => c.name);
  const removed = beforeNames.filter((n) => !afterNames.includes(n));
  const added = afterNames.filter((n) => !beforeNames.includes(n));
  if (removed.length > 0) out.push(`columns removed: ${removed.join(', ')}`);
  if (added.length > 0) out.push(`columns added: ${added.join(', ')}`);
  const kept = beforeNames.filter((n) => afterNames.includes(n));
  if (JSON.stringify(kept) !== JSON.stringify(afterNames.filter((n) => beforeNames.includes(n)))) {
    out.push('columns reordered');
  }
  for (const name of kept) {
    columnChanges(
      before.columns.find((c) => c.name === name)!,
      after.columns.find((c) => c.name === name)!,
      out,
    );
  }
  return out;
}
