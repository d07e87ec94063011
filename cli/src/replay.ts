import { kafkaSection, loadConfig, mongoSection, type Env } from '@netsentry/config';
import { TOPIC_CATALOGUE, topicName } from '@netsentry/contracts';
import {
  DatasetSchemaError,
  HeaderMismatchError,
  loadDatasetSchema,
  openDataFile,
  type DatasetSchema,
} from '@netsentry/dataset';
import { RecordStore } from '@netsentry/records';
import { createMongoClient } from '@netsentry/registry';
import { createKafka, producerConfig, provisionTopics } from '@netsentry/runtime';
import { parse } from 'csv-parse';
import type { Message } from 'kafkajs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { progressBar } from './progress';
import { endOffsets, type PartitionOffset } from './topic-reader';
import { TokenBucket, batchSizeForRate } from './rate-limiter';
import {
  checkIdPrefix,
  defaultIdPrefix,
  denseOrder,
  encodeTrafficRecord,
  headerFit,
  replayRecordId,
  rowMapper,
  type InvalidRows,
  type ReplayFormat,
} from './replay-records';

export type { ReplayFormat } from './replay-records';
export type { PartitionOffset } from './topic-reader';

export interface ReplayProgress {
  /** Data rows read from the file so far (sent, skipped, or waiting in the batch). */
  readonly rowsRead: number;
  /** Records the broker acknowledged (acks=all). */
  readonly sent: number;
  readonly skipped: number;
  /** Bytes of the file read (compressed, for .gz), and its size: a measure of the work left. */
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly elapsedMs: number;
  /** Records acknowledged per second since the first send. */
  readonly ratePerSecond: number;
}

export interface ReplayOptions {
  /** The data file (.csv or .csv.gz). */
  readonly csv: string;
  /** NETSENTRY_KAFKA_*, NETSENTRY_TOPIC_PREFIX, and NETSENTRY_MONGO_* when the schema comes from MongoDB. */
  readonly env?: Env;
  /**
   * The dataset schema: parsed already, or the path of its file. Without it, the schema the dataset is
   * bound to in MongoDB (where `data load` keeps it): `dataset`'s, else the one loaded dataset whose
   * schema fits the file's header.
   */
  readonly schema?: DatasetSchema | string;
  readonly dataset?: string;
  /** Records per second (a smooth token bucket); unlimited when absent. */
  readonly rate?: number;
  /** Send at most this many records (rows skipped do not count). */
  readonly limit?: number;
  /** Default avro. */
  readonly format?: ReplayFormat;
  /** The records' `source`; default `netsentry-replay`. */
  readonly source?: string;
  /** Record ids are `<idPrefix>-<line>`; default `replay-<epoch ms>`. */
  readonly idPrefix?: string;
  /** Rows that fail the schema's checks: skipped and counted (default), or sent for the service to refuse. */
  readonly invalidRows?: InvalidRows;
  /** Records per produce request when unlimited; default 2,000. */
  readonly batchSize?: number;
  /** Keep every sent record id in the summary (`recordIds`), e.g. to name the missing ones later. */
  readonly keepIds?: boolean;
  /** Called at most every 100 ms while sending, and once at the end. */
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Stops the replay after the batch in flight; the summary says `interrupted`. */
  readonly signal?: AbortSignal;
  /**
   * Read the CSV (uncompressed) from this stream instead of opening `csv`, which then only names it in the
   * summary: e.g. an S3 object's body. `inputBytes` is its size, for progress.
   */
  readonly input?: Readable;
  readonly inputBytes?: number;
}

export interface SkippedRows {
  readonly total: number;
  /** Skipped rows by reason: `FIELD_COUNT`, or a check's code and column (`OUT_OF_RANGE URL_Length`). */
  readonly byReason: Readonly<Record<string, number>>;
  /** The first skipped rows, with their lines and every reason. */
  readonly sample: readonly { readonly line: number; readonly reasons: readonly string[] }[];
}

export interface ReplaySummary {
  readonly file: string;
  readonly dataset: string;
  readonly schemaSha256: string;
  readonly format: ReplayFormat;
  /** The prefixed traffic.records topic. */
  readonly topic: string;
  readonly source: string;
  readonly idPrefix: string;
  readonly rowsRead: number;
  readonly sent: number;
  readonly skipped: SkippedRows;
  /** Lines (1-based, header = 1) of the first and last record sent; null when none was sent. */
  readonly firstLine: number | null;
  readonly lastLine: number | null;
  readonly firstRecordId: string | null;
  readonly lastRecordId: string | null;
  /** Every record id sent, in order, when `keepIds` was set. */
  readonly recordIds?: readonly string[];
  /** Epoch ms: when sending began (producer connected) and when the last send was acknowledged. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly elapsedMs: number;
  readonly ratePerSecond: number;
  /** traffic.records' end offsets per partition before the first send and after the last one. */
  readonly startOffsets: readonly PartitionOffset[];
  readonly endOffsets: readonly PartitionOffset[];
  /** Stopped by the signal before the end of the file (or the limit). */
  readonly interrupted: boolean;
}

/** A replay refused before anything was sent: no schema for the file, an unknown dataset, a bad id prefix. */
export class ReplayInputError extends Error {
  readonly code = 'REPLAY_INPUT_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'ReplayInputError';
  }
}

const SAMPLE = 10;
const PROGRESS_EVERY_MS = 100;

/**
 * Streams a CSV to the prefixed `traffic.records` topic as live traffic, one record per data row: only the
 * schema's feature columns (see `rowMapper`), keyed by the record id `<idPrefix>-<line>`, with an
 * idempotent producer and acks=all, one produce request in flight while the next batch is read. Refuses
 * a file whose header does not fit the schema (HeaderMismatchError), an invalid schema file
 * (DatasetSchemaError) and a file no loaded dataset fits (ReplayInputError) before anything is sent.
 * Creates the topic as the catalogue says when it does not exist.
 */
export async function replayFile(options: ReplayOptions): Promise<ReplaySummary> {
  const env = options.env ?? process.env;
  const kafkaSettings = loadConfig(kafkaSection({ clientId: 'netsentry-replay' }), env);
  const format = options.format ?? 'avro';
  const source = options.source ?? 'netsentry-replay';
  let idPrefix: string;
  try {
    idPrefix = checkIdPrefix(options.idPrefix ?? defaultIdPrefix());
  } catch (err) {
    throw new ReplayInputError((err as Error).message);
  }
  const maxBatch = options.batchSize ?? 2_000;
  const batchSize = batchSizeForRate(options.rate, maxBatch);
  const bucket = options.rate === undefined ? null : new TokenBucket(options.rate, batchSize);
  const limit = options.limit ?? Infinity;
  const topic = topicName(kafkaSettings.topicPrefix, 'traffic.records');

  const totalBytes = options.input ? (options.inputBytes ?? 0) : (await stat(options.csv)).size;
  let bytesRead = 0;
  const input = options.input ?? openDataFile(options.csv, (n) => (bytesRead = n));
  if (options.input) {
    options.input.on('data', (chunk: Buffer | string) => {
      bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    });
  }
  const parser = input.pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: false, info: true }),
  );
  const rows = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: { lines: number } }>;

  const kafka = createKafka(kafkaSettings);
  const admin = kafka.admin();
  const producer = kafka.producer(
    producerConfig({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false }),
  );
  let adminConnected = false;
  let producerConnected = false;
  try {
    const first = await rows.next();
    const header = first.done ? [] : first.value.record;
    const schema = await resolveSchema(options, header, env);
    const mapRow = rowMapper(schema, header, options.invalidRows ?? 'skip');
    const order = denseOrder(schema);

    await admin.connect();
    adminConnected = true;
    await provisionTopics(admin, kafkaSettings.topicPrefix, [TOPIC_CATALOGUE['traffic.records']]);
    const startOffsets = await endOffsets(admin, topic);
    await producer.connect();
    producerConnected = true;

    const startedAt = Date.now();
    const started = performance.now();
    let rowsRead = 0;
    let sent = 0;
    let queued = 0;
    let skippedTotal = 0;
    const byReason: Record<string, number> = {};
    const sample: { line: number; reasons: string[] }[] = [];
    let firstLine: number | null = null;
    let lastLine: number | null = null;
    const recordIds: string[] | undefined = options.keepIds ? [] : undefined;
    let lastProgress = 0;
    const progress = (force: boolean): void => {
      if (!options.onProgress) return;
      const now = performance.now();
      if (!force && now - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = now;
      const elapsedMs = now - started;
      options.onProgress({
        rowsRead,
        sent,
        skipped: skippedTotal,
        bytesRead,
        totalBytes,
        elapsedMs,
        ratePerSecond: elapsedMs > 0 ? (sent * 1000) / elapsedMs : 0,
      });
    };

    // One request in flight (the idempotent producer allows no more) while the next batch is read.
    let inFlight: Promise<void> | null = null;
    let failure: Error | null = null;
    const flush = async (messages: Message[]): Promise<void> => {
      if (inFlight) await inFlight;
      if (failure !== null) throw failure;
      if (messages.length === 0) return;
      if (bucket) {
        const wait = bucket.take(messages.length);
        if (wait > 0) await sleep(wait);
      }
      inFlight = producer.send({ topic, acks: -1, messages }).then(
        () => {
          sent += messages.length;
          progress(false);
        },
        (err: unknown) => {
          failure = err instanceof Error ? err : new Error(String(err));
        },
      );
    };

    let batch: Message[] = [];
    let interrupted = false;
    while (queued < limit) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const next = await rows.next();
      if (next.done) break;
      rowsRead++;
      const line = next.value.info.lines;
      const mapped = mapRow(next.value.record);
      if (!mapped.ok) {
        skippedTotal++;
        for (const p of mapped.problems) byReason[p.key] = (byReason[p.key] ?? 0) + 1;
        if (sample.length < SAMPLE) sample.push({ line, reasons: mapped.problems.map((p) => p.reason) });
        continue;
      }
      const recordId = replayRecordId(idPrefix, line);
      firstLine ??= line;
      lastLine = line;
      recordIds?.push(recordId);
      batch.push({
        key: recordId,
        value: encodeTrafficRecord(
          format,
          {
            recordId,
            source,
            observedAt: Date.now(),
            features: mapped.features,
          },
          order,
        ),
      });
      queued++;
      if (batch.length >= batchSize) {
        await flush(batch);
        batch = [];
      }
    }
    await flush(batch);
    await flush([]); // waits for the last request
    const endedAt = Date.now();
    const elapsedMs = performance.now() - started;
    progress(true);
    const end = await endOffsets(admin, topic);
    return {
      file: options.csv,
      dataset: schema.name,
      schemaSha256: schema.sha256,
      format,
      topic,
      source,
      idPrefix,
      rowsRead,
      sent,
      skipped: { total: skippedTotal, byReason, sample },
      firstLine,
      lastLine,
      firstRecordId: firstLine === null ? null : replayRecordId(idPrefix, firstLine),
      lastRecordId: lastLine === null ? null : replayRecordId(idPrefix, lastLine),
      ...(recordIds ? { recordIds } : {}),
      startedAt,
      endedAt,
      elapsedMs,
      ratePerSecond: elapsedMs > 0 ? (sent * 1000) / elapsedMs : 0,
      startOffsets,
      endOffsets: end,
      interrupted,
    };
  } finally {
    input.destroy();
    parser.destroy();
    if (producerConnected) await producer.disconnect();
    if (adminConnected) await admin.disconnect();
  }
}

async function resolveSchema(
  options: ReplayOptions,
  header: readonly string[],
  env: Env,
): Promise<DatasetSchema> {
  if (typeof options.schema === 'string') return loadDatasetSchema(options.schema);
  if (options.schema !== undefined) return options.schema;
  const mongo = loadConfig(mongoSection(), env);
  const client = createMongoClient(mongo);
  try {
    await client.connect();
    const store = new RecordStore(client.db(mongo.database));
    if (options.dataset !== undefined) {
      const bound = await store.currentSchema(options.dataset);
      if (bound === null) {
        throw new ReplayInputError(
          `dataset '${options.dataset}' is not loaded (no schema is bound to it); load it with ` +
            `'netsentry data load', or give the schema with --schema`,
        );
      }
      return bound.schema;
    }
    const names = await store.datasetNames();
    const fitting: DatasetSchema[] = [];
    for (const name of names) {
      const bound = await store.currentSchema(name);
      if (bound !== null && headerFit(bound.schema, header).ok) fitting.push(bound.schema);
    }
    if (fitting.length === 1) return fitting[0]!;
    if (fitting.length === 0) {
      throw new ReplayInputError(
        names.length === 0
          ? 'no dataset is loaded, so no schema is known for this file; give it with --schema'
          : `the file's header fits none of the loaded datasets (${names.join(', ')}); give its schema with --schema`,
      );
    }
    throw new ReplayInputError(
      `the file's header fits several loaded datasets (${fitting.map((s) => s.name).join(', ')}); ` +
        'name one with --dataset',
    );
  } finally {
    await client.close();
  }
}

export interface ReplayCommandOptions {
  readonly schema?: string;
  readonly dataset?: string;
  readonly rate?: number;
  readonly limit?: number;
  readonly format: ReplayFormat;
  readonly source?: string;
  readonly idPrefix?: string;
  readonly sendInvalid?: boolean;
  readonly json: boolean;
}

/**
 * `netsentry replay`. Exit codes: 0 replayed; 2 refused (header, schema or dataset); 130 interrupted
 * (SIGINT/SIGTERM: the summary of what was sent is still printed).
 */
export async function replay(
  csv: string,
  opts: ReplayCommandOptions,
  env: Env = process.env,
  progressStream: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  const bar = progressBar(progressStream);
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const summary = await replayFile({
      csv,
      env,
      ...(opts.schema === undefined ? {} : { schema: opts.schema }),
      ...(opts.dataset === undefined ? {} : { dataset: opts.dataset }),
      ...(opts.rate === undefined ? {} : { rate: opts.rate }),
      ...(opts.limit === undefined ? {} : { limit: opts.limit }),
      ...(opts.source === undefined ? {} : { source: opts.source }),
      ...(opts.idPrefix === undefined ? {} : { idPrefix: opts.idPrefix }),
      format: opts.format,
      invalidRows: opts.sendInvalid ? 'send' : 'skip',
      signal: abort.signal,
      onProgress: (p) => {
        const detail = `${p.sent.toLocaleString('en')} sent · ${Math.round(p.ratePerSecond).toLocaleString('en')}/s`;
        if (opts.limit !== undefined) bar.update(p.sent, opts.limit, detail);
        else bar.update(p.bytesRead, p.totalBytes, detail);
      },
    });
    bar.finish(`${summary.sent.toLocaleString('en')} sent`);
    process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : describeReplay(summary));
    return summary.interrupted ? 130 : 0;
  } catch (err) {
    bar.finish();
    if (
      err instanceof HeaderMismatchError ||
      err instanceof DatasetSchemaError ||
      err instanceof ReplayInputError
    ) {
      process.stderr.write(`netsentry: refused ${csv}: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The human summary of a replay. */
export function describeReplay(s: ReplaySummary): string {
  const n = (v: number): string => v.toLocaleString('en');
  const lines = [
    `replayed ${s.file} as dataset '${s.dataset}' to ${s.topic} (${s.format})${s.interrupted ? ' — interrupted' : ''}`,
    `  sent             ${n(s.sent)}` +
      (s.firstRecordId === null ? '' : ` (ids ${s.firstRecordId} … ${s.lastRecordId})`),
    `  rows read        ${n(s.rowsRead)}`,
    `  skipped          ${n(s.skipped.total)}`,
  ];
  for (const [reason, count] of Object.entries(s.skipped.byReason).sort((a, b) => b[1] - a[1])) {
    lines.push(`    ${reason}: ${n(count)}`);
  }
  for (const r of s.skipped.sample) lines.push(`    line ${r.line}: ${r.reasons.join('; ')}`);
  lines.push(
    `  elapsed          ${(s.elapsedMs / 1000).toFixed(2)} s`,
    `  rate             ${n(Math.round(s.ratePerSecond))} records/s`,
  );
  return `${lines.join('\n')}\n`;
}
