/** Text helpers shared by the read commands (runs, models): aligned columns, times, durations. */

/** `2026-01-02 03:04:05` (UTC), or `-`. */
export function when(d: Date | null | undefined): string {
  return d ? d.toISOString().replace('T', ' ').slice(0, 19) : '-';
}

/** A duration as an operator reads it: `850 ms`, `12.3 s`, `4 min 05 s`, `1 h 02 min`; `-` when unknown. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.floor(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3_600)} h ${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')} min`;
}

/** A metric value with four decimals, or `-`. */
export function fixed(x: number | null | undefined): string {
  return x === null || x === undefined ? '-' : x.toFixed(4);
}

/** Metrics as `f1 0.9659, precision 0.9700, tp 400` (counts stay whole), by name; `-` when none. */
export function metricsText(m: Readonly<Record<string, number>> | null | undefined): string {
  if (m === null || m === undefined || Object.keys(m).length === 0) return '-';
  return Object.entries(m)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${Number.isInteger(v) && Math.abs(v) > 1 ? String(v) : fixed(v)}`)
    .join(', ');
}

/** A byte count: `512 B`, `1.5 KiB`, `12.0 MiB`. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1_024 && unit < units.length - 1) {
    value /= 1_024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Rows as aligned columns (two spaces apart; the last column is not padded), each line indented. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map(
    (r) =>
      indent +
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
  );
}

/** JSON for `--json`: dates as ISO strings, two-space indent, newline-terminated. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
