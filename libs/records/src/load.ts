import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { loadDatasetSchema, openDataFile, readCsv, type CellValue } from '@netsentry/dataset';
import { blockId, type RecordStore } from './record-store';

export interface LoadProgress {
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly rowsRead: number;
}

export interface RejectedLine {
  readonly line: number;
  readonly reasons: readonly string[];
}

export interface LoadSummary {
  readonly dataset: string;
  readonly file: string;
  readonly fileSha256: string;
  readonly rowsRead: number;
  readonly inserted: number;
  /** Rows already in the collection from an earlier load of the same file. */
  readonly alreadyPresent: number;
  readonly rejected: number;
  /** The first rejected rows with their line numbers and reasons (all of them go to `onRejected`). */
  readonly rejectedSample: readonly RejectedLine[];
}

export interface LoadOptions {
  readonly csvPath: string;
  readonly schemaPath: string;
  readonly store: RecordStore;
  readonly batchSize?: number;
  readonly onProgress?: (progress: LoadProgress) => void;
  readonly onRejected?: (rejected: RejectedLine) => void;
  /** How many rejected rows to keep in the summary. */
  readonly sampleSize?: number;
  /**
   * Bind the dataset to this schema even though it is bound to a different one. Without it such a load
   * is refused with a `SchemaChangedError` naming what changed, before anything is read or written.
   */
  readonly rebindSchema?: boolean;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Streams a CSV into the dataset's records collection in batches, checking every row against the schema.
 * Rejected rows are reported with their line and reasons and never stored; a file for another dataset is
 * refused before anything is written (`HeaderMismatchError`), and so is a schema that differs from the one
 * the dataset is bound to (`SchemaChangedError`) unless `rebindSchema` is set. Loading the same file again
 * adds nothing.
 */
export async function loadRecords(options: LoadOptions): Promise<LoadSummary> {
  const { csvPath, schemaPath, store } = options;
  const batchSize = options.batchSize ?? 5_000;
  const sampleSize = options.sampleSize ?? 20;
  const [schema, schemaText, fileSha256, { size: totalBytes }] = await Promise.all([
    loadDatasetSchema(schemaPath),
    readFile(schemaPath, 'utf8'),
    sha256OfFile(csvPath),
    stat(csvPath),
  ]);
  const rebind = { rebind: options.rebindSchema ?? false };
  await store.checkSchemaBinding(schema, rebind);

  let bytesRead = 0;
  let rowsRead = 0;
  let inserted = 0;
  let alreadyPresent = 0;
  let rejected = 0;
  const rejectedSample: RejectedLine[] = [];
  let batch: { values: Readonly<Record<string, CellValue>>; source: { fileSha256: string; line: number } }[] =
    [];
  let schemaRegistered = false;

  const flush = async (): Promise<void> => {
    if (!schemaRegistered) {
      // Bound only once the header matched, so a refused file leaves no trace.
      await store.registerSchema(schema, schemaText, basename(schemaPath), rebind);
      schemaRegistered = true;
    }
    const outcome = await store.insertBatch(schema.name, batch);
    inserted += outcome.inserted;
    alreadyPresent += outcome.alreadyPresent;
    batch = [];
    options.onProgress?.({ bytesRead, totalBytes, rowsRead });
  };

  const input = openDataFile(csvPath, (n) => (bytesRead = n));
  for await (const row of readCsv(schema, input)) {
    rowsRead++;
    if (row.ok) {
      const source = { fileSha256, line: row.line };
      // Full batches go out at a block boundary only: a block is inserted once, whole (decision 0063).
      if (batch.length >= batchSize && blockId(source) !== blockId(batch.at(-1)!.source)) await flush();
      batch.push({ values: row.values, source });
    } else {
      rejected++;
      const entry = { line: row.line, reasons: row.reasons };
      if (rejectedSample.length < sampleSize) rejectedSample.push(entry);
      options.onRejected?.(entry);
    }
  }
  await flush();
  return {
    dataset: schema.name,
    file: csvPath,
    fileSha256,
    rowsRead,
    inserted,
    alreadyPresent,
    rejected,
    rejectedSample,
  };
}
