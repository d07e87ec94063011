import {
  DatasetSchemaError,
  loadDatasetSchema,
  openDataFile,
  profileCsv,
  type ColumnProfile,
  type DataProfile,
  type DatasetSchema,
  type SchemaProblem,
} from '@netsentry/dataset';
import { stat } from 'node:fs/promises';
import { progressBar } from './progress';

export interface SchemaCheckOptions {
  /** A CSV (or .csv.gz) to read against the schema; nothing is stored. */
  readonly data?: string;
  readonly json: boolean;
  /** Values shown per column (most frequent first). */
  readonly maxValues: number;
  /** Rows the schema may reject before the check fails (default 0: any rejected row fails it). */
  readonly maxRejected: number;
}

/** The report `--json` prints; the human form says the same in words. */
export interface SchemaCheckReport {
  readonly ok: boolean;
  readonly schema:
    | {
        readonly origin: string;
        readonly valid: true;
        readonly name: string;
        readonly sha256: string;
        readonly features: number;
        readonly target: { readonly column: string; readonly rule: DatasetSchema['target']['rule'] };
        readonly missing: readonly string[];
      }
    | { readonly origin: string; readonly valid: false; readonly problems: readonly SchemaProblem[] };
  readonly data?: { readonly file: string; readonly error?: string } & Partial<DataProfile>;
  /** Why the check failed, one line each; empty when ok. */
  readonly refusals: readonly string[];
}

const n = (x: number): string => x.toLocaleString('en');

/**
 * `netsentry schema check <yaml> [--data <csv>]`. Exit codes: 0 the schema is valid (and the file's header
 * fits it, with at most `maxRejected` rejected rows); 2 refused: the schema is invalid, the file cannot be
 * read, its header is for another dataset, or the schema would reject more rows than allowed.
 */
export async function schemaCheck(
  schemaPath: string,
  options: SchemaCheckOptions,
  progressStream: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  const refusals: string[] = [];
  let schema: DatasetSchema | undefined;
  let schemaReport: SchemaCheckReport['schema'];
  try {
    schema = await loadDatasetSchema(schemaPath);
    schemaReport = {
      origin: schemaPath,
      valid: true,
      name: schema.name,
      sha256: schema.sha256,
      features: schema.features.length,
      target: { column: schema.target.column, rule: schema.target.rule },
      missing: schema.missing,
    };
  } catch (err) {
    if (!(err instanceof DatasetSchemaError)) throw err;
    schemaReport = { origin: schemaPath, valid: false, problems: err.problems };
    refusals.push(err.message);
  }

  let data: SchemaCheckReport['data'];
  if (options.data !== undefined) {
    data = await profileData(options.data, schema, options, progressStream);
    if (data.error !== undefined) refusals.push(`cannot read ${options.data}: ${data.error}`);
    const header = data.headerCheck;
    if (header && !header.ok) {
      const parts = [
        header.missing.length > 0 ? `missing columns: ${header.missing.join(', ')}` : '',
        header.unexpected.length > 0 ? `unexpected columns: ${header.unexpected.join(', ')}` : '',
        header.duplicated.length > 0 ? `duplicated columns: ${header.duplicated.join(', ')}` : '',
      ].filter((p) => p.length > 0);
      refusals.push(`the file does not match dataset schema '${schema?.name}': ${parts.join('; ')}`);
    } else if ((data.rejectedRows ?? 0) > options.maxRejected) {
      refusals.push(
        `the schema would reject ${n(data.rejectedRows ?? 0)} of ${n(data.rows ?? 0)} rows` +
          (options.maxRejected > 0 ? ` (more than --max-rejected ${n(options.maxRejected)})` : ''),
      );
    }
  }

  const report: SchemaCheckReport = {
    ok: refusals.length === 0,
    schema: schemaReport,
    ...(data ? { data } : {}),
    refusals,
  };
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : describe(report, options.maxValues));
  return report.ok ? 0 : 2;
}

async function profileData(
  file: string,
  schema: DatasetSchema | undefined,
  options: SchemaCheckOptions,
  progressStream: NodeJS.WriteStream,
): Promise<NonNullable<SchemaCheckReport['data']>> {
  let totalBytes: number;
  try {
    totalBytes = (await stat(file)).size;
  } catch (err) {
    return { file, error: err instanceof Error ? err.message : String(err) };
  }
  const progress = progressBar(progressStream);
  let bytesRead = 0;
  try {
    const profile = await profileCsv(
      openDataFile(file, (b) => (bytesRead = b)),
      {
        ...(schema ? { schema } : {}),
        maxValues: options.maxValues,
        onProgress: (rows) => progress.update(bytesRead, totalBytes, `${n(rows)} rows`),
      },
    );
    progress.finish(`${n(profile.rows)} rows`);
    return { file, ...profile };
  } catch (err) {
    progress.finish();
    return { file, error: err instanceof Error ? err.message : String(err) };
  }
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

function range(c: ColumnProfile): string {
  if (c.min === undefined || c.max === undefined) return '';
  return c.min === c.max ? String(c.min) : `${c.min} … ${c.max}`;
}

function values(c: ColumnProfile, max: number): string {
  const shown = c.topValues.slice(0, Math.min(max, 5)).map((v) => `${v.value} ×${n(v.count)}`);
  const more = c.distinct - shown.length;
  return more > 0 ? `${shown.join(', ')}, +${c.distinctCapped ? '≥' : ''}${n(more)} more` : shown.join(', ');
}

function seenType(c: ColumnProfile): string {
  if (c.seen === 'numeric') return c.integer ? 'integer' : 'numeric';
  if (c.seen === 'binary' && c.numeric === c.present) return 'binary (numbers)';
  return c.seen;
}

function describe(report: SchemaCheckReport, maxValues: number): string {
  const out: string[] = [];
  const s = report.schema;
  if (s.valid) {
    const rule = `${s.target.rule.kind}: ${s.target.rule.values.join(', ')}`;
    out.push(
      `schema ${s.origin}: valid — dataset '${s.name}', ${s.features} features, target ${s.target.column} (${rule}), sha256 ${s.sha256.slice(0, 12)}…`,
    );
  } else {
    out.push(
      `schema ${s.origin}: INVALID (${s.problems.length} problem${s.problems.length === 1 ? '' : 's'})`,
    );
  }
  const d = report.data;
  if (d && d.error === undefined && d.columns) {
    const header = d.headerCheck;
    out.push(
      `data ${d.file}: ${n(d.rows ?? 0)} rows, ${d.columns.length} columns` +
        (!header
          ? ' (read without a schema)'
          : header.ok
            ? `; ${n(d.rejectedRows ?? 0)} rows the schema would reject`
            : '; the header does not fit the schema (see below)'),
    );
    const rows: string[][] = [
      ['column', 'role', 'schema', 'seen', 'missing', 'range', 'distinct', 'values', 'rejected'],
    ];
    for (const c of d.columns) {
      rows.push([
        c.name,
        c.role,
        c.declared ?? '',
        seenType(c),
        n(c.missing),
        range(c),
        `${c.distinctCapped ? '≥' : ''}${n(c.distinct)}`,
        values(c, maxValues),
        c.declared ? n(c.rejected) : '',
      ]);
    }
    out.push('', ...table(rows).map((l) => `  ${l}`));

    const rejecting = d.columns.filter((c) => c.rejected > 0);
    if (rejecting.length > 0) {
      out.push('', 'values the schema rejects:');
      for (const c of rejecting) {
        const shown = c.rejectedValues.slice(0, 5);
        const listed = shown.map((v) => `'${v.value}' ×${n(v.count)}`);
        const more = c.rejectedDistinct - shown.length;
        const example = shown[0] ? ` (e.g. ${shown[0].reason})` : '';
        out.push(
          `  ${c.name}: ${n(c.rejected)} cell${c.rejected === 1 ? '' : 's'} — ${listed.join(', ')}` +
            `${more > 0 ? `, +${n(more)} more` : ''}${example}`,
        );
      }
    }
    if ((d.rejectedSample ?? []).length > 0) {
      out.push('', `rejected rows (first ${d.rejectedSample!.length}):`);
      for (const r of d.rejectedSample!) out.push(`  line ${r.line}: ${r.reasons.join('; ')}`);
    }
    out.push('', 'suggested column specs (what this file holds; compare with the schema, or start one):');
    out.push('columns:');
    for (const c of d.columns) {
      if (c.role === 'dropped') continue;
      const key =
        /^[A-Za-z_][\w ./-]*$/.test(c.name) && !c.name.endsWith(' ') ? c.name : JSON.stringify(c.name);
      out.push(`  ${key}: ${c.suggested}`);
    }
  }
  if (report.refusals.length > 0) {
    out.push('', 'refused:');
    for (const r of report.refusals) out.push(...r.split('\n').map((l) => `  ${l}`));
  } else {
    out.push('', 'ok');
  }
  return `${out.join('\n')}\n`;
}
