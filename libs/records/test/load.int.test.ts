import { HeaderMismatchError } from '@netsentry/dataset';
import { newMongoClient, repoRoot, uniqueName } from '@netsentry/testkit';
import type { Db, MongoClient } from 'mongodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_LINES, loadRecords, recordsCollectionName, RecordStore, type StoredRecord } from '../src';

const data = (p: string) => join(repoRoot, 'data', p);
let client: MongoClient;
let db: Db;
let store: RecordStore;

beforeAll(async () => {
  client = newMongoClient();
  await client.connect();
  db = client.db(uniqueName('it_records').replace(/-/g, '_'));
  store = new RecordStore(db);
});

afterAll(async () => {
  await db.dropDatabase().catch(() => undefined);
  await client.close();
});

async function firstRecord(dataset: string): Promise<StoredRecord> {
  for await (const record of store.stream(dataset)) return record;
  throw new Error(`dataset ${dataset} has no records`);
}

describe('netsentry data load (loadRecords) against the real MongoDB-wire server', () => {
  it('loads the phishing CSV, keeping duplicate rows, and binds the schema file to the dataset', async () => {
    const progress: number[] = [];
    const summary = await loadRecords({
      csvPath: data('phishing.csv'),
      schemaPath: data('schemas/phishing.yaml'),
      store,
      batchSize: 2_000,
      onProgress: (p) => progress.push(p.rowsRead),
    });
    expect(summary).toMatchObject({ dataset: 'phishing', rowsRead: 11_055, inserted: 11_055, rejected: 0 });
    expect(await store.count('phishing')).toBe(11_055);
    expect(progress.length).toBeGreaterThanOrEqual(6);
    expect(progress.at(-1)).toBe(11_055);

    const bound = await store.currentSchema('phishing');
    expect(bound?.schema.features).toHaveLength(30);
    expect(bound?.fileName).toBe('phishing.yaml');

    const first = await firstRecord('phishing');
    expect(first.values).toHaveProperty('Result');
    expect(typeof first.values['URL_Length']).toBe('number');
    expect(first.source.line).toBe(2);
  });

  it('does not duplicate anything when the same file is loaded again', async () => {
    const summary = await loadRecords({
      csvPath: data('phishing.csv'),
      schemaPath: data('schemas/phishing.yaml'),
      store,
    });
    expect(summary).toMatchObject({ rowsRead: 11_055, inserted: 0, alreadyPresent: 11_055 });
    expect(await store.count('phishing')).toBe(11_055);
  });

  it('streams every record back in file order', async () => {
    let n = 0;
    let phishing = 0;
    let inOrder = true;
    let previous = 1;
    for await (const record of store.stream('phishing')) {
      n++;
      if (record.values['Result'] === '-1') phishing++;
      inOrder &&= record.source.line === previous + 1;
      previous = record.source.line;
    }
    expect({ n, phishing, inOrder }).toEqual({ n: 11_055, phishing: 4_898, inOrder: true });
  });

  it('loads in batches that end on block boundaries, and completes an interrupted load without duplicates', async () => {
    const dataset = store.records('phishing');
    const blocks = await store.blocks('phishing');
    // An interrupted load: some blocks never arrived.
    const lost = [blocks[0]!, blocks[5]!, blocks.at(-1)!];
    await dataset.deleteMany({ _id: { $in: lost.map((b) => b.id) } });
    const missing = lost.reduce((s, b) => s + b.count, 0);
    expect(await store.count('phishing')).toBe(11_055 - missing);

    const summary = await loadRecords({
      csvPath: data('phishing.csv'),
      schemaPath: data('schemas/phishing.yaml'),
      store,
      batchSize: 7, // far below a block: every batch still carries whole blocks
    });
    expect(summary).toMatchObject({ rowsRead: 11_055, inserted: missing, alreadyPresent: 11_055 - missing });
    expect(await store.count('phishing')).toBe(11_055);
    expect((await store.blocks('phishing')).map((b) => b.count)).toEqual(blocks.map((b) => b.count));
    expect(blocks[1]!.count).toBe(BLOCK_LINES);
  });

  it('reports rejected rows with line numbers and reasons and stores the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'load-'));
    const csv = join(dir, 'some-bad.csv');
    const header = (await import('node:fs')).readFileSync(data('phishing.csv'), 'utf8').split('\n')[0]!;
    const good = Array.from({ length: 30 }, () => '1').join(',');
    writeFileSync(
      csv,
      [header, `${good},-1`, `${good},7`, `${good.replace(/^1/, 'x')},1`, `${good},1`].join('\r\n'),
    );
    const rejected: number[] = [];
    const summary = await loadRecords({
      csvPath: csv,
      schemaPath: data('schemas/phishing.yaml'),
      store,
      onRejected: (r) => rejected.push(r.line),
    });
    expect(summary).toMatchObject({ rowsRead: 4, inserted: 2, rejected: 2 });
    expect(summary.rejectedSample).toEqual([
      { line: 3, reasons: ["Result: '7' not in {-1, 1}"] },
      { line: 4, reasons: ["having_IP_Address: 'x' not in {-1, 1}"] },
    ]);
    expect(rejected).toEqual([3, 4]);
  });

  it('refuses the other 13-column "phishing" file, naming the columns, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'load-'));
    const csv = join(dir, 'phishing-other.csv');
    writeFileSync(
      csv,
      'NumDots,SubdomainLevel,PathLevel,UrlLength,NumDash,NumDashInHostname,AtSymbol,TildeSymbol,' +
        'NumUnderscore,NumPercent,NumQueryComponents,NumAmpersand,Phising\n3,1,5,72,0,0,0,0,0,0,0,0,1\n',
    );
    const otherDb = client.db(uniqueName('it_records_refused').replace(/-/g, '_'));
    const error = await loadRecords({
      csvPath: csv,
      schemaPath: data('schemas/phishing.yaml'),
      store: new RecordStore(otherDb),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeaderMismatchError);
    expect((error as Error).message).toMatch(
      /missing columns: having_IP_Address, .*, Result; unexpected columns: NumDots, .*, Phising/,
    );
    const collections = (await otherDb.listCollections().toArray()).map((c) => c.name);
    expect(collections).not.toContain(recordsCollectionName('phishing'));
    expect(collections).not.toContain('datasetSchemas');
    await otherDb.dropDatabase();
  });

  it('loads gzipped NSL-KDD with only its schema file', async () => {
    const summary = await loadRecords({
      csvPath: data('nsl-kdd/KDDTest+.csv.gz'),
      schemaPath: data('schemas/nsl-kdd.yaml'),
      store,
      batchSize: 2_000,
    });
    expect(summary).toMatchObject({ dataset: 'nsl-kdd', rowsRead: 22_544, inserted: 22_544, rejected: 0 });
    const record = await firstRecord('nsl-kdd');
    expect(Object.keys(record.values)).toHaveLength(42);
    expect(record.values).not.toHaveProperty('difficulty');
  });
});
