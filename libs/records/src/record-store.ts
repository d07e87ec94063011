import {
  describeSchemaChanges,
  parseDatasetSchema,
  type CellValue,
  type DatasetSchema,
} from '@netsentry/dataset';
import { MongoBulkWriteError, type Collection, type Db } from 'mongodb';

/** Where a record came from: the loaded file's content hash and the line in it. */
export interface RecordSource {
  readonly fileSha256: string;
  readonly line: number;
}

/** A stored record: the schema's columns by `field` name, plus where it came from. */
export interface StoredRecord {
  readonly _id: string;
  readonly values: Readonly<Record<string, CellValue>>;
  readonly source: RecordSource;
  readonly loadedAt: Date;
}

export interface InsertOutcome {
  readonly inserted: number;
  /** Records already present (the same file loaded before): skipped, not duplicated. */
  readonly alreadyPresent: number;
}

interface SchemaDoc {
  _id: string; // sha256 of the schema file
  name: string;
  fileName: string;
  text: string;
  registeredAt: Date;
}

interface DatasetDoc {
  _id: string; // dataset name
  schemaSha256: string;
  updatedAt: Date;
}

/**
 * A record's identity: loading the same file twice is idempotent, while identical rows within one file
 * (about 47% of the phishing data) stay distinct observations. The line is zero-padded so that `_id` order
 * — the order snapshots are read in, and so the order the seeded split sees — is the file's line order
 * (unpadded, line 10 sorted before line 2 and the split was of a shuffled file).
 */
export function recordId(source: RecordSource): string {
  return `${source.fileSha256.slice(0, 32)}:${String(source.line).padStart(10, '0')}`;
}

/** MongoDB collection name for a dataset's records (`nsl-kdd` → `records_nsl_kdd`). */
export function recordsCollectionName(dataset: string): string {
  return `records_${dataset.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * The records collections and the dataset schema files bound to them. Works on FerretDB: only inserts
 * against unique `_id`s, finds and cursors.
 */
export class RecordStore {
  private readonly schemas: Collection<SchemaDoc>;
  private readonly datasets: Collection<DatasetDoc>;

  constructor(private readonly db: Db) {
    this.schemas = db.collection<SchemaDoc>('datasetSchemas');
    this.datasets = db.collection<DatasetDoc>('datasets');
  }

  records(dataset: string): Collection<StoredRecord> {
    return this.db.collection<StoredRecord>(recordsCollectionName(dataset));
  }

  /**
   * Refuses a schema that differs from the one the dataset is bound to (`SchemaChangedError`, naming what
   * changed), unless `rebind` is set: the records already stored were checked against the bound one, and
   * every later run's lineage names it. A dataset not bound yet, or bound to this very file, passes.
   */
  async checkSchemaBinding(schema: DatasetSchema, options: { rebind?: boolean } = {}): Promise<void> {
    if (options.rebind) return;
    const doc = await this.datasets.findOne({ _id: schema.name });
    if (!doc || doc.schemaSha256 === schema.sha256) return;
    const bound = await this.schemaBySha256(doc.schemaSha256);
    throw new SchemaChangedError(
      schema.name,
      doc.schemaSha256,
      bound?.fileName,
      schema.sha256,
      bound ? describeSchemaChanges(bound.schema, schema) : [],
    );
  }

  /**
   * Stores the schema file's text under its sha256 and makes it the dataset's current schema, so every
   * stage later reads exactly the file the data was loaded under. A dataset bound to a different schema
   * is refused (`SchemaChangedError`) unless `rebind` is set.
   */
  async registerSchema(
    schema: DatasetSchema,
    text: string,
    fileName: string,
    options: { rebind?: boolean } = {},
  ): Promise<void> {
    await this.checkSchemaBinding(schema, options);
    await this.schemas
      .insertOne({ _id: schema.sha256, name: schema.name, fileName, text, registeredAt: new Date() })
      .catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
    await this.datasets.updateOne(
      { _id: schema.name },
      { $set: { schemaSha256: schema.sha256, updatedAt: new Date() } },
      { upsert: true },
    );
  }

  /** Every dataset bound to a schema (loaded at least once), by name, sorted. */
  async datasetNames(): Promise<string[]> {
    const docs = await this.datasets.find({}, { projection: { _id: 1 } }).toArray();
    return docs.map((d) => d._id).sort();
  }

  /** The schema a dataset's records were last loaded under, or null for an unknown dataset. */
  async currentSchema(
    dataset: string,
  ): Promise<{ schema: DatasetSchema; text: string; fileName: string } | null> {
    const doc = await this.datasets.findOne({ _id: dataset });
    return doc ? this.schemaBySha256(doc.schemaSha256) : null;
  }

  /** A registered schema file by its sha256, parsed and verified. */
  async schemaBySha256(
    sha256: string,
  ): Promise<{ schema: DatasetSchema; text: string; fileName: string } | null> {
    const doc = await this.schemas.findOne({ _id: sha256 });
    if (!doc) return null;
    const schema = parseDatasetSchema(doc.text, `datasetSchemas/${doc.fileName}`);
    if (schema.sha256 !== sha256) {
      throw new Error(`dataset schema ${sha256} is corrupt: its text hashes to ${schema.sha256}`);
    }
    return { schema, text: doc.text, fileName: doc.fileName };
  }

  /** A registered schema by sha256; an unknown one is a non-retryable error (retrying cannot register it). */
  async requireSchema(sha256: string): Promise<DatasetSchema> {
    const found = await this.schemaBySha256(sha256);
    if (!found) throw new UnknownDatasetSchemaError(sha256);
    return found.schema;
  }

  /** Inserts a batch; records already present (same file, same line) are skipped, not duplicated. */
  async insertBatch(
    dataset: string,
    rows: readonly { values: Readonly<Record<string, CellValue>>; source: RecordSource }[],
  ): Promise<InsertOutcome> {
    if (rows.length === 0) return { inserted: 0, alreadyPresent: 0 };
    const loadedAt = new Date();
    const docs = rows.map((r) => ({ _id: recordId(r.source), values: r.values, source: r.source, loadedAt }));
    try {
      const result = await this.records(dataset).insertMany(docs, { ordered: false });
      return { inserted: result.insertedCount, alreadyPresent: 0 };
    } catch (err) {
      if (err instanceof MongoBulkWriteError && onlyDuplicateKeys(err)) {
        return { inserted: err.result.insertedCount, alreadyPresent: docs.length - err.result.insertedCount };
      }
      throw err;
    }
  }

  count(dataset: string): Promise<number> {
    return this.records(dataset).countDocuments();
  }

  /** Streams every record in a stable order (by id), in batches from a cursor: memory stays flat. */
  stream(dataset: string, batchSize = 2_000): AsyncIterable<StoredRecord> {
    return this.records(dataset).find({}, { sort: { _id: 1 }, batchSize });
  }
}

/** A load under a schema that differs from the one the dataset is bound to, without asking to rebind. */
export class SchemaChangedError extends Error {
  readonly code = 'DATASET_SCHEMA_CHANGED';

  constructor(
    readonly dataset: string,
    readonly boundSha256: string,
    readonly boundFileName: string | undefined,
    readonly newSha256: string,
    /** One line per change (`columns.x.max: 1 → 2`); empty when only comments or layout differ. */
    readonly changes: readonly string[],
  ) {
    const what =
      changes.length > 0
        ? `it changes:\n${changes.map((c) => `  - ${c}`).join('\n')}`
        : 'the files differ only in comments or layout, but lineage records the file by its sha256';
    super(
      `dataset '${dataset}' is bound to schema ${boundFileName ?? '(unknown file)'} ` +
        `(sha256 ${boundSha256.slice(0, 12)}…) and this schema (sha256 ${newSha256.slice(0, 12)}…) is ` +
        `different; ${what}\nThe records already stored were checked against the bound schema. To bind ` +
        `the new one anyway, load again with --rebind-schema; to keep the old one, load with its file.`,
    );
    this.name = 'SchemaChangedError';
  }
}

export class UnknownDatasetSchemaError extends Error {
  readonly code = 'UNKNOWN_DATASET_SCHEMA';
  readonly retryable = false;
  constructor(readonly sha256: string) {
    super(`dataset schema ${sha256} is not registered (load the data with its schema first)`);
    this.name = 'UnknownDatasetSchemaError';
  }
}

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

function onlyDuplicateKeys(err: MongoBulkWriteError): boolean {
  const raw: unknown = err.writeErrors;
  const errors: unknown[] = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  return errors.length > 0 && errors.every(isDuplicateKey);
}
