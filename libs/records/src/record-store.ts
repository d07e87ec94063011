import {
  describeSchemaChanges,
  parseDatasetSchema,
  type CellValue,
  type DatasetSchema,
} from '@netsentry/dataset';
import { MongoBulkWriteError, type Collection, type Db } from 'mongodb';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where a record came from: the loaded file's content hash and the line in it. */
export interface RecordSource {
  readonly fileSha256: string;
  readonly line: number;
}

/** A stored record: the schema's columns by `field` name, plus where it came from. */
export interface StoredRecord {
  /** `recordId(source)`: the row's identity, and its place in the snapshot order. */
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

/**
 * Rows are stored in blocks (decision 0063): one document per `BLOCK_LINES` lines of one file, the rows as
 * one JSON text. A document per row cost FerretDB a JSON decode per value (6,000 rows/s in, 3,000 out);
 * a block costs it one string. The block size is part of the `_id`s, so it never changes for a stored file.
 */
export const BLOCK_LINES = 500;

/** A block of rows in MongoDB. */
export interface RecordBlockDoc {
  /** `recordId` of the block's first line slot (`<file>:<line rounded down to BLOCK_LINES>`). */
  _id: string;
  fileSha256: string;
  /** The field names, in the order of each row's values. */
  fields: string[];
  /** JSON text of `[[line, value, value, …], …]` in line order: every accepted row of the block's lines. */
  rows: string;
  /** Rows in the block. */
  count: number;
  loadedAt: Date;
}

/** The block holding a line of a file. */
export function blockId(source: RecordSource): string {
  return recordId({
    fileSha256: source.fileSha256,
    line: Math.floor(source.line / BLOCK_LINES) * BLOCK_LINES,
  });
}

/** A block's rows as records. */
export function blockRecords(block: RecordBlockDoc): StoredRecord[] {
  const rows = JSON.parse(block.rows) as [number, ...CellValue[]][];
  const { fields, fileSha256, loadedAt } = block;
  return rows.map((row) => {
    const values: Record<string, CellValue> = {};
    for (let f = 0; f < fields.length; f++) values[fields[f]!] = row[f + 1] ?? null;
    const source = { fileSha256, line: row[0] };
    return { _id: recordId(source), values, source, loadedAt };
  });
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
 * against unique `_id`s, unsorted finds, and reads by `_id`.
 */
export class RecordStore {
  private readonly schemas: Collection<SchemaDoc>;
  private readonly datasets: Collection<DatasetDoc>;

  constructor(private readonly db: Db) {
    this.schemas = db.collection<SchemaDoc>('datasetSchemas');
    this.datasets = db.collection<DatasetDoc>('datasets');
  }

  /** The dataset's collection of record blocks. */
  records(dataset: string): Collection<RecordBlockDoc> {
    return this.db.collection<RecordBlockDoc>(recordsCollectionName(dataset));
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

  /**
   * Inserts rows as blocks; blocks already present (the same file loaded before) are skipped, not duplicated.
   * The rows must be whole blocks: every accepted row of each block's `BLOCK_LINES` lines, in line order (a
   * block is inserted once, so rows of a block given later would be taken for already present).
   * `loadRecords` flushes only at block boundaries.
   */
  async insertBatch(
    dataset: string,
    rows: readonly { values: Readonly<Record<string, CellValue>>; source: RecordSource }[],
  ): Promise<InsertOutcome> {
    if (rows.length === 0) return { inserted: 0, alreadyPresent: 0 };
    const loadedAt = new Date();
    const docs: RecordBlockDoc[] = [];
    let fields: string[] = [];
    let open: { id: string; fileSha256: string; rows: string[] } | undefined;
    const close = (): void => {
      if (open === undefined) return;
      const { id, fileSha256 } = open;
      docs.push({
        _id: id,
        fileSha256,
        fields,
        rows: `[${open.rows.join(',')}]`,
        count: open.rows.length,
        loadedAt,
      });
    };
    for (const row of rows) {
      const id = blockId(row.source);
      if (open?.id !== id) {
        close();
        fields = Object.keys(row.values);
        open = { id, fileSha256: row.source.fileSha256, rows: [] };
      }
      open.rows.push(JSON.stringify([row.source.line, ...fields.map((f) => row.values[f] ?? null)]));
    }
    close();
    try {
      await this.records(dataset).insertMany(docs, { ordered: false });
      return { inserted: rows.length, alreadyPresent: 0 };
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError) || !onlyDuplicateKeys(err)) throw err;
      let alreadyPresent = 0;
      for (const e of writeErrorList(err)) alreadyPresent += docs[(e as { index: number }).index]!.count;
      return { inserted: rows.length - alreadyPresent, alreadyPresent };
    }
  }

  /** How many records the dataset holds. */
  async count(dataset: string): Promise<number> {
    let n = 0;
    for (const block of await this.blocks(dataset)) n += block.count;
    return n;
  }

  /** The dataset's blocks loaded up to `asOf` (all without it), with their row counts, in `_id` order. */
  async blocks(dataset: string, asOf?: Date): Promise<{ id: string; count: number }[]> {
    const filter = asOf === undefined ? {} : { loadedAt: { $lte: asOf } };
    const docs = await this.records(dataset)
      .find(filter, { projection: { _id: 1, count: 1 } })
      .toArray();
    return docs
      .map((d) => ({ id: d._id, count: d.count }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Reads the dataset's records loaded up to `asOf` (all without it) once, with one unsorted cursor, into a
   * local spool file, and gives them back in snapshot order (`_id`: file order, decision 0011) as often as
   * asked: no server-side sort (FerretDB sorts in memory: 8.9 GB for 500k rows) and no lookups by `_id`
   * (FerretDB's SQLite backend scans the table for each). Memory stays one block on both sides; the spool
   * holds the rows' JSON text on local disk until `close()`.
   */
  async spoolSnapshot(dataset: string, asOf?: Date): Promise<SpooledSnapshot> {
    return SpooledSnapshot.read(this.records(dataset), asOf);
  }

  /** Every record in snapshot order (by id: file order), a block at a time: memory stays flat. */
  async *stream(dataset: string, asOf?: Date): AsyncGenerator<StoredRecord> {
    const snapshot = await this.spoolSnapshot(dataset, asOf);
    try {
      yield* snapshot.records();
    } finally {
      await snapshot.close();
    }
  }
}

interface SpooledBlock {
  readonly id: string;
  readonly offset: number;
  readonly bytes: number;
  readonly count: number;
  readonly fields: string[];
  readonly fileSha256: string;
  readonly loadedAt: Date;
}

/** A snapshot's blocks in a local file, read back in `_id` order: see `RecordStore.spoolSnapshot`. */
export class SpooledSnapshot {
  private constructor(
    private readonly dir: string,
    private readonly file: FileHandle,
    private readonly blocks: readonly SpooledBlock[],
    /** Records in the snapshot. */
    readonly rows: number,
  ) {}

  static async read(collection: Collection<RecordBlockDoc>, asOf?: Date): Promise<SpooledSnapshot> {
    const dir = await mkdtemp(join(tmpdir(), 'netsentry-snapshot-'));
    const file = await open(join(dir, 'blocks.json'), 'w+');
    try {
      const blocks: SpooledBlock[] = [];
      const fieldLists = new Map<string, string[]>();
      let offset = 0;
      let rows = 0;
      const filter = asOf === undefined ? {} : { loadedAt: { $lte: asOf } };
      for await (const doc of collection.find(filter, { batchSize: 16 })) {
        const text = Buffer.from(doc.rows, 'utf8');
        await file.write(text, 0, text.length, offset);
        const key = doc.fields.join('\u0000');
        let fields = fieldLists.get(key);
        if (fields === undefined) fieldLists.set(key, (fields = doc.fields));
        const { _id: id, count, fileSha256, loadedAt } = doc;
        blocks.push({ id, offset, bytes: text.length, count, fields, fileSha256, loadedAt });
        offset += text.length;
        rows += count;
      }
      blocks.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return new SpooledSnapshot(dir, file, blocks, rows);
    } catch (err) {
      await file.close();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The records in snapshot order (`_id`: file order); can be iterated more than once. */
  async *records(): AsyncGenerator<StoredRecord> {
    let buffer = Buffer.alloc(0);
    for (const block of this.blocks) {
      if (buffer.length < block.bytes) buffer = Buffer.alloc(block.bytes);
      await this.file.read(buffer, 0, block.bytes, block.offset);
      const rows = buffer.toString('utf8', 0, block.bytes);
      yield* blockRecords({ _id: block.id, rows, ...block });
    }
  }

  async close(): Promise<void> {
    await this.file.close();
    await rm(this.dir, { recursive: true, force: true });
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

function writeErrorList(err: MongoBulkWriteError): unknown[] {
  const raw: unknown = err.writeErrors;
  return Array.isArray(raw) ? (raw as unknown[]) : [raw];
}

function onlyDuplicateKeys(err: MongoBulkWriteError): boolean {
  const errors = writeErrorList(err);
  return errors.length > 0 && errors.every(isDuplicateKey);
}
