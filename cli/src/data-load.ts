import { loadConfig, mongoSection } from '@netsentry/config';
import { DatasetSchemaError, HeaderMismatchError } from '@netsentry/dataset';
import { loadRecords, RecordStore, SchemaChangedError, type LoadSummary } from '@netsentry/records';
import { createMongoClient } from '@netsentry/registry';
import { createWriteStream } from 'node:fs';
import { progressBar } from './progress';

export interface DataLoadOptions {
  readonly schema: string;
  readonly batchSize: number;
  /** Write every rejected row (line + reasons) as JSON lines to this file. */
  readonly rejects?: string;
  readonly json: boolean;
  /** Bind the dataset to this schema although it is bound to a different one. */
  readonly rebindSchema?: boolean;
}

/**
 * Exit codes: 0 loaded (rejected rows are reported, not fatal), 2 the file or schema was refused (a
 * header for another dataset, an invalid schema, or a schema that differs from the dataset's bound one
 * without `--rebind-schema`).
 */
export async function dataLoad(
  csvPath: string,
  options: DataLoadOptions,
  env = process.env,
  progressStream: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  const mongo = loadConfig(mongoSection(), env);
  const client = createMongoClient(mongo);
  const rejects = options.rejects ? createWriteStream(options.rejects) : undefined;
  const progress = progressBar(progressStream);
  try {
    await client.connect();
    const summary = await loadRecords({
      csvPath,
      schemaPath: options.schema,
      store: new RecordStore(client.db(mongo.database)),
      batchSize: options.batchSize,
      onProgress: (p) =>
        progress.update(p.bytesRead, p.totalBytes, `${p.rowsRead.toLocaleString('en')} rows`),
      onRejected: (r) => rejects?.write(`${JSON.stringify(r)}\n`),
      rebindSchema: options.rebindSchema ?? false,
    });
    progress.finish(`${summary.rowsRead.toLocaleString('en')} rows`);
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : describe(summary, options.rejects));
    return 0;
  } catch (err) {
    progress.finish();
    if (
      err instanceof HeaderMismatchError ||
      err instanceof DatasetSchemaError ||
      err instanceof SchemaChangedError
    ) {
      process.stderr.write(`netsentry: refused ${csvPath}: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    rejects?.end();
    await client.close();
  }
}

function describe(s: LoadSummary, rejectsFile: string | undefined): string {
  const lines = [
    `loaded ${s.file} into dataset '${s.dataset}' (sha256 ${s.fileSha256.slice(0, 12)}…)`,
    `  rows read        ${s.rowsRead.toLocaleString('en')}`,
    `  inserted         ${s.inserted.toLocaleString('en')}`,
    `  already present  ${s.alreadyPresent.toLocaleString('en')} (loaded before; not duplicated)`,
    `  rejected         ${s.rejected.toLocaleString('en')}`,
  ];
  for (const r of s.rejectedSample) lines.push(`    line ${r.line}: ${r.reasons.join('; ')}`);
  if (s.rejected > s.rejectedSample.length) {
    lines.push(
      `    … ${s.rejected - s.rejectedSample.length} more${rejectsFile ? ` in ${rejectsFile}` : ' (use --rejects FILE)'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
