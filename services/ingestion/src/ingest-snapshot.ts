import type { ArtifactStore } from '@netsentry/artifacts';
import type { ArtifactRef } from '@netsentry/contracts';
import type { EventBody } from '@netsentry/runtime';
import { isPositiveLabel, targetColumn, type CellValue, type DatasetSchema } from '@netsentry/dataset';
import { assignSplit } from '@netsentry/ml';
import type { RecordStore, SpooledSnapshot, StoredRecord } from '@netsentry/records';
import type { Registry } from '@netsentry/registry';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';

export interface SplitSettings {
  readonly testRatio: number;
  readonly seed: number;
  readonly stratified: boolean;
  readonly duplicateAware: boolean;
}

export interface IngestInput {
  readonly dataset: string;
  readonly runId: string;
  readonly split: SplitSettings;
  /** The event being handled, for lineage (`producedBy`). */
  readonly eventId: string;
  /** Records loaded up to this instant belong to the snapshot: both passes see the same rows. */
  readonly asOf: Date;
}

/** A snapshot's records read once into a local spool, read back in order as often as needed. */
export type SnapshotSpool = Pick<SpooledSnapshot, 'records' | 'close'>;

/** What ingestion asks of the stores: the real ones satisfy these, unit tests pass in-memory fakes. */
export interface IngestionRecords {
  currentSchema: RecordStore['currentSchema'];
  spoolSnapshot(dataset: string, asOf?: Date): Promise<SnapshotSpool>;
}
export type IngestionArtifacts = Pick<ArtifactStore, 'put'>;
export interface IngestionRegistry {
  readonly runs: Pick<Registry['runs'], 'get' | 'list' | 'openRun' | 'recordStage'>;
  readonly artifacts: Pick<Registry['artifacts'], 'record'>;
}

export interface IngestDeps {
  readonly records: IngestionRecords;
  readonly artifacts: IngestionArtifacts;
  readonly registry: Pick<IngestionRegistry, 'artifacts'>;
}

/** The snapshot as a CSV with the schema's original column names: what every later stage reads. */
const CSV = 'text/csv';

export class UnknownDatasetError extends Error {
  readonly code = 'UNKNOWN_DATASET';
  readonly retryable = false;
  constructor(readonly dataset: string) {
    super(
      `dataset '${dataset}' has no records: load it first with netsentry data load <csv> --schema <yaml>`,
    );
    this.name = 'UnknownDatasetError';
  }
}

function csvCell(value: CellValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(schema: DatasetSchema, record: StoredRecord): string {
  return `${schema.columns.map((c) => csvCell(record.values[c.field] ?? null)).join(',')}\n`;
}

/**
 * Exports the dataset's records to a snapshot in S3 and splits it into train and test, streaming: the first
 * pass over the records keeps only each row's label and feature-vector group (bytes per row, not rows);
 * the second writes the snapshot, train and test CSVs concurrently. Everything is content-addressed, so a
 * redelivered command rewrites nothing.
 */
export async function ingestSnapshot(
  deps: IngestDeps,
  input: IngestInput,
): Promise<EventBody<'data.ingested'>> {
  const bound = await deps.records.currentSchema(input.dataset);
  if (bound === null) throw new UnknownDatasetError(input.dataset);
  // The records loaded up to asOf, read once from MongoDB into a local spool; both passes read it in file
  // order (decisions 0011, 0063).
  const spooled = await deps.records.spoolSnapshot(input.dataset, input.asOf);
  try {
    return await writeSnapshot(deps, input, bound, spooled);
  } finally {
    await spooled.close();
  }
}

async function writeSnapshot(
  deps: IngestDeps,
  input: IngestInput,
  bound: { schema: DatasetSchema; text: string; fileName: string },
  spooled: SnapshotSpool,
): Promise<EventBody<'data.ingested'>> {
  const { schema, text: schemaText, fileName } = bound;
  const target = targetColumn(schema);

  // Pass 1: labels and duplicate groups.
  let labels = new Uint8Array(1 << 14);
  let groups = new Uint32Array(1 << 14);
  const groupIds = new Map<string, number>();
  let rows = 0;
  for await (const record of spooled.records()) {
    if (rows === labels.length) {
      labels = grow(labels);
      groups = grow(groups);
    }
    labels[rows] = isPositiveLabel(schema, String(record.values[target.field] ?? '')) ? 1 : 0;
    const key = createHash('sha1')
      .update(JSON.stringify(schema.features.map((c) => record.values[c.field] ?? null)))
      .digest('base64');
    let group = groupIds.get(key);
    if (group === undefined) {
      group = groupIds.size;
      groupIds.set(key, group);
    }
    groups[rows] = group;
    rows++;
  }
  if (rows === 0) throw new UnknownDatasetError(input.dataset);
  labels = labels.subarray(0, rows);
  groups = groups.subarray(0, rows);
  const side = assignSplit({
    labels,
    testRatio: input.split.testRatio,
    seed: input.split.seed,
    stratified: input.split.stratified,
    ...(input.split.duplicateAware ? { groups } : {}),
  });
  const testRows = side.reduce((s, v) => s + v, 0);
  // Exact duplicate rows (features and label); groups are by features alone, so a vector seen with both
  // labels still stays on one side of a duplicate-aware split.
  const distinctRows = new Set<number>();
  for (let i = 0; i < rows; i++) distinctRows.add(groups[i]! * 2 + labels[i]!);
  const duplicates = rows - distinctRows.size;

  // Pass 2: the three CSVs, streamed to S3 side by side.
  const header = `${schema.columns.map((c) => csvCell(c.name)).join(',')}\n`;
  const streams = { snapshot: new PassThrough(), train: new PassThrough(), test: new PassThrough() };
  const put = (kind: string, body: PassThrough, rowCount: number): Promise<ArtifactRef> =>
    deps.artifacts.put({ runId: input.runId, kind: `dataset/${kind}`, body, mediaType: CSV, rowCount });
  const uploads = Promise.all([
    put('snapshot', streams.snapshot, rows),
    put('train', streams.train, rows - testRows),
    put('test', streams.test, testRows),
  ]);
  const write = async (stream: PassThrough, text: string): Promise<void> => {
    if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', resolve));
  };
  try {
    for (const s of Object.values(streams)) await write(s, header);
    let i = 0;
    for await (const record of spooled.records()) {
      const line = csvLine(schema, record);
      await write(streams.snapshot, line);
      await write(side[i] === 1 ? streams.test : streams.train, line);
      i++;
    }
    for (const s of Object.values(streams)) s.end();
  } catch (err) {
    for (const s of Object.values(streams)) s.destroy(err as Error);
    throw err;
  }
  const [snapshot, train, test] = await uploads;

  const schemaRef = await deps.artifacts.put({
    runId: input.runId,
    kind: 'dataset/schema',
    body: Buffer.from(schemaText, 'utf8'),
    mediaType: 'application/yaml',
  });
  const producedBy = { stage: 'ingestion', eventId: input.eventId };
  await deps.registry.artifacts.record({
    ref: schemaRef,
    kind: 'dataset/schema',
    runId: input.runId,
    parents: [],
    producedBy,
  });
  await deps.registry.artifacts.record({
    ref: snapshot,
    kind: 'dataset/snapshot',
    runId: input.runId,
    parents: [schemaRef.uri],
    producedBy,
  });
  for (const [kind, ref] of [
    ['dataset/train', train],
    ['dataset/test', test],
  ] as const) {
    await deps.registry.artifacts.record({
      ref,
      kind,
      runId: input.runId,
      parents: [snapshot.uri],
      producedBy,
    });
  }

  return {
    dataset: {
      datasetName: schema.name,
      schema: { name: fileName, sha256: schema.sha256 },
      snapshot,
      train,
      test,
    },
    rows: { snapshot: rows, train: rows - testRows, test: testRows, duplicates },
    split: { ...input.split },
  };
}

function grow<T extends Uint8Array | Uint32Array>(array: T): T {
  const bigger = new (array.constructor as new (n: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}
