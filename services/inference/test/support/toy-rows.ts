import type { Frame } from '@netsentry/ml';

/** A frame's rows as JSON objects keyed by column name (NaN → null), with record ids `r0`, `r1`, …. */
export function jsonRows(frame: Frame, prefix = 'r'): Record<string, number | string | null>[] {
  const rows: Record<string, number | string | null>[] = [];
  for (let i = 0; i < frame.rows; i++) {
    const row: Record<string, number | string | null> = { recordId: `${prefix}${i}` };
    for (const c of frame.columns) {
      const v = c.values[i];
      row[c.name] =
        c.kind === 'numeric' ? (Number.isNaN(v) ? null : (v as number)) : ((v as string | null) ?? null);
    }
    rows.push(row);
  }
  return rows;
}

/** RFC 4180 quoting of one cell. */
export function csvCell(value: number | string | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as a CSV with a header line; missing values are empty cells. */
export function toCsv(rows: readonly Record<string, number | string | null>[]): string {
  const header = Object.keys(rows[0] ?? {});
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(header.map((h) => csvCell(row[h] ?? null)).join(','));
  return `${lines.join('\n')}\n`;
}
