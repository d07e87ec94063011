import { CodedError } from '@netsentry/contracts/coded-error';
import { isPositiveLabel, readCsv, targetColumn, type DatasetSchema } from '@netsentry/dataset';
import type { Readable } from 'node:stream';
import type { Column, LabelledFrame } from './frame';
import type { ProgressSink } from './on-pool';

export class DatasetRowsRejectedError extends CodedError<'DATASET_ROWS_REJECTED'> {
  readonly code = 'DATASET_ROWS_REJECTED';
  override readonly retryable = false;
  constructor(
    readonly rejected: number,
    readonly sample: readonly string[],
  ) {
    super(`${rejected} row(s) do not conform to the dataset schema, e.g. ${sample.join('; ')}`, {
      rejected,
    });
  }
}

/**
 * Reads a dataset CSV (a snapshot or split written by ingestion) into a column frame of the schema's
 * features plus binary labels (1 = the schema's positive class). Numeric columns become Float64Array with
 * NaN for missing; categorical and binary columns keep their spelling. Rows that break the schema are
 * refused as a whole (`DatasetRowsRejectedError`), since a split must never silently lose rows.
 */
export async function readLabelledFrame(
  schema: DatasetSchema,
  input: Readable,
  onRows?: (rows: number) => void,
): Promise<LabelledFrame> {
  const numeric = schema.features.map((c) => (c.type === 'numeric' ? new Array<number>() : null));
  const categorical = schema.features.map((c) => (c.type === 'numeric' ? null : new Array<string | null>()));
  const labels: number[] = [];
  const target = targetColumn(schema);
  let rejected = 0;
  const sample: string[] = [];
  for await (const row of readCsv(schema, input)) {
    if (!row.ok) {
      rejected++;
      if (sample.length < 5) sample.push(`line ${row.line}: ${row.reasons.join(', ')}`);
      continue;
    }
    schema.features.forEach((c, j) => {
      const value = row.values[c.field] ?? null;
      if (c.type === 'numeric') numeric[j]!.push(value === null ? Number.NaN : Number(value));
      else categorical[j]!.push(value === null ? null : String(value));
    });
    labels.push(isPositiveLabel(schema, String(row.values[target.field] ?? '')) ? 1 : 0);
    if (onRows !== undefined && labels.length % 1_000 === 0) onRows(labels.length);
  }
  onRows?.(labels.length);
  if (rejected > 0) throw new DatasetRowsRejectedError(rejected, sample);
  const columns = schema.features.map((c, j): Column =>
    c.type === 'numeric'
      ? { kind: 'numeric', name: c.name, values: Float64Array.from(numeric[j]!) }
      : { kind: 'categorical', name: c.name, values: categorical[j]! },
  );
  return { features: { rows: labels.length, columns }, labels: Uint8Array.from(labels) };
}

/**
 * Reads a snapshot's train and test splits side by side; `open` streams one artifact (e.g.
 * `ArtifactStore.open`); `onRows` hears the rows read so far, both splits together.
 */
export async function readLabelledSplits<R>(
  schema: DatasetSchema,
  splits: { readonly train: R; readonly test: R },
  open: (ref: R) => Promise<Readable>,
  onRows?: (rows: number) => void,
): Promise<{ train: LabelledFrame; test: LabelledFrame }> {
  let trainRows = 0;
  let testRows = 0;
  const report = onRows && (() => onRows(trainRows + testRows));
  const [train, test] = await Promise.all([
    readLabelledFrame(schema, await open(splits.train), report && ((n) => ((trainRows = n), report()))),
    readLabelledFrame(schema, await open(splits.test), report && ((n) => ((testRows = n), report()))),
  ]);
  return { train, test };
}

/**
 * `readLabelledSplits` with a `read` progress phase over both splits' rows, when both counts are known (the
 * phase is finished once both are read).
 */
export async function readLabelledSplitsWithProgress<R extends { readonly rowCount: number | null }>(
  schema: DatasetSchema,
  splits: { readonly train: R; readonly test: R },
  open: (ref: R) => Promise<Readable>,
  progress: Pick<ProgressSink, 'phase'>,
): Promise<{ train: LabelledFrame; test: LabelledFrame }> {
  const { train, test } = splits;
  const reading =
    train.rowCount === null || test.rowCount === null
      ? undefined
      : progress.phase('read', train.rowCount + test.rowCount);
  const frames = await readLabelledSplits(schema, splits, open, reading && ((rows) => reading.update(rows)));
  reading?.finish();
  return frames;
}
