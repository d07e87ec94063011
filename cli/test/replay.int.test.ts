import { ContractRegistry, topicName } from '@netsentry/contracts';
import { loadDatasetSchema, parseDatasetSchema } from '@netsentry/dataset';
import { RecordStore } from '@netsentry/records';
import { createMongoClient } from '@netsentry/registry';
import { isolatedStageEnv, newKafka, repoRoot, uniqueName } from '@netsentry/testkit';
import type { KafkaMessage } from 'kafkajs';
import type { Db } from 'mongodb';
import { createReadStream, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../src/main';
import { ReplayInputError, replayFile, type ReplaySummary } from '../src/replay';
import { denseOrder } from '../src/replay-records';

// `netsentry replay` against the real Kafka (and FerretDB for the schema a dataset is bound to): what
// reaches traffic.records, read back byte for byte.

const env = isolatedStageEnv('replay');
const prefix = env.NETSENTRY_TOPIC_PREFIX!;
const topic = topicName(prefix, 'traffic.records');
const data = (p: string) => join(repoRoot, 'data', p);
const phishingCsv = data('phishing.csv');
const phishingSchema = data('schemas/phishing.yaml');
const contracts = ContractRegistry.bundled();
const phishingOrder = denseOrder(parseDatasetSchema(readFileSync(phishingSchema, 'utf8')));
const kafka = newKafka('replay-it');
const scratch = mkdtempSync(join(tmpdir(), 'replay-it-'));

/** The phishing file as the test reads it: header, and each data line's cells with its line number. */
const lines = readFileSync(phishingCsv, 'utf8').trimEnd().split('\n');
const header = lines[0]!.split(',').map((h) => h.replace(/"/g, ''));
const rowAt = (line: number): string[] => lines[line - 1]!.split(',');

/** What the service must receive for a phishing row: every column but Result, typed by the schema. */
function expectedFeatures(line: number): Record<string, number | string> {
  const cells = rowAt(line);
  const out: Record<string, number | string> = {};
  header.forEach((name, i) => {
    if (name === 'Result') return;
    const numeric = [
      'URL_Length',
      'having_Sub_Domain',
      'SSLfinal_State',
      'URL_of_Anchor',
      'Links_in_tags',
      'SFH',
      'Redirect',
      'web_traffic',
      'Links_pointing_to_page',
    ];
    out[name] = numeric.includes(name) ? Number(cells[i]) : cells[i]!;
  });
  return out;
}

interface Sent {
  key: string;
  recordId: string;
  source: string;
  features: Record<string, unknown>;
  observedAt: number;
}

function decode(m: KafkaMessage): Sent {
  const value = m.value!;
  if (value[0] === 0xc3 && value[1] === 0x01) {
    const r = contracts.decode('traffic.records', value);
    // The dense form (replay's default): the values in the schema's feature order, which it names.
    const features =
      r.featureSet === null
        ? r.features
        : r.featureSet === phishingOrder.featureSet
          ? Object.fromEntries(phishingOrder.features.map((name, i) => [name, r.values[i]]))
          : { unknownFeatureSet: r.featureSet };
    return {
      key: m.key!.toString(),
      recordId: r.recordId,
      source: r.source,
      features,
      observedAt: r.observedAt,
    };
  }
  const j = JSON.parse(value.toString('utf8')) as {
    recordId: string;
    source: string;
    observedAt: string;
    features: Record<string, unknown>;
  };
  return {
    key: m.key!.toString(),
    recordId: j.recordId,
    source: j.source,
    features: j.features,
    observedAt: Date.parse(j.observedAt),
  };
}

async function topicTotal(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return offsetSum((await admin.fetchTopicOffsets(topic)).map((o) => ({ offset: o.high })));
  } finally {
    await admin.disconnect();
  }
}

/** Every message on the topic now (read until its end offsets say all arrived), keyed `<idPrefix>-…`. */
async function sentWith(idPrefix: string): Promise<(Sent & { raw: KafkaMessage })[]> {
  const total = await topicTotal();
  // readTopic's consumer, with a short fetch wait so that disconnecting does not wait out a 5 s fetch.
  const consumer = kafka.consumer({ groupId: uniqueName('replay-it'), maxWaitTimeInMs: 100 });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void messages.push(message)) });
    const deadline = Date.now() + 20_000;
    while (messages.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await consumer.disconnect();
  }
  expect(messages).toHaveLength(total);
  return messages.map((m) => ({ ...decode(m), raw: m })).filter((s) => s.key.startsWith(`${idPrefix}-`));
}

const offsetSum = (offsets: readonly { offset: string }[]): number =>
  offsets.reduce((sum, o) => sum + Number(o.offset), 0);

async function withStore<T>(fn: (store: RecordStore, db: Db) => Promise<T>): Promise<T> {
  const client = createMongoClient({
    uri: env.NETSENTRY_MONGO_URI!,
    database: env.NETSENTRY_MONGO_DATABASE!,
  });
  await client.connect();
  try {
    const db = client.db(env.NETSENTRY_MONGO_DATABASE);
    return await fn(new RecordStore(db), db);
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  // Bind both bundled datasets to their schemas, as `data load` does, without loading their rows.
  await withStore(async (store) => {
    for (const name of ['phishing', 'nsl-kdd']) {
      const path = data(`schemas/${name}.yaml`);
      await store.registerSchema(await loadDatasetSchema(path), readFileSync(path, 'utf8'), `${name}.yaml`);
    }
  });
});

afterAll(async () => {
  await withStore((_store, db) => db.dropDatabase());
  const admin = kafka.admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
});

describe('replayFile', () => {
  it('sends Avro TrafficRecords of the feature columns only, keyed by <prefix>-<line>, with exact values', async () => {
    const progress: number[] = [];
    const summary = await replayFile({
      csv: phishingCsv,
      env,
      schema: phishingSchema,
      format: 'avro',
      limit: 300,
      idPrefix: 'avro1',
      source: 'it-replay',
      keepIds: true,
      onProgress: (p) => progress.push(p.sent),
    });
    expect(summary).toMatchObject({
      dataset: 'phishing',
      format: 'avro',
      topic,
      sent: 300,
      rowsRead: 300,
      skipped: { total: 0 },
      firstLine: 2,
      lastLine: 301,
      firstRecordId: 'avro1-2',
      lastRecordId: 'avro1-301',
      interrupted: false,
    });
    expect(summary.recordIds).toHaveLength(300);
    expect(summary.endedAt).toBeGreaterThanOrEqual(summary.startedAt);
    expect(progress.at(-1)).toBe(300);
    // 12 partitions as the catalogue says, and exactly 300 more messages on them.
    expect(summary.endOffsets).toHaveLength(12);
    expect(offsetSum(summary.endOffsets) - offsetSum(summary.startOffsets)).toBe(300);

    const sent = await sentWith('avro1');
    expect(sent).toHaveLength(300);
    const byId = new Map(sent.map((s) => [s.recordId, s]));
    for (let line = 2; line <= 301; line++) {
      const s = byId.get(`avro1-${line}`)!;
      expect(s.key).toBe(s.recordId);
      expect(s.source).toBe('it-replay');
      expect(s.features).toEqual(expectedFeatures(line));
      expect(s.features).not.toHaveProperty('Result');
      expect(s.observedAt).toBeGreaterThanOrEqual(summary.startedAt);
    }
  });

  it("sends JSON records under the schema the header's dataset is bound to in MongoDB", async () => {
    const summary = await replayFile({
      csv: phishingCsv,
      env,
      format: 'json',
      limit: 250,
      idPrefix: 'json1',
    });
    expect(summary).toMatchObject({ dataset: 'phishing', sent: 250, source: 'netsentry-replay' });
    const sent = await sentWith('json1');
    expect(sent.map((s) => s.recordId).sort()).toEqual(
      Array.from({ length: 250 }, (_, i) => `json1-${i + 2}`).sort(),
    );
    for (const s of sent) {
      expect(s.features).toEqual(expectedFeatures(Number(s.recordId.slice('json1-'.length))));
    }
    const one = sent.find((m) => m.key === 'json1-2')!;
    expect(Object.keys(JSON.parse(one.raw.value!.toString('utf8')) as object)).toEqual([
      'recordId',
      'source',
      'observedAt',
      'features',
    ]);
  });

  it('reads from a stream it is given (an S3 object body, say), named by `csv` in the summary', async () => {
    let bytes = 0;
    const summary = await replayFile({
      csv: 's3://bucket/runs/r1/dataset/test.csv',
      input: createReadStream(phishingCsv),
      inputBytes: statSync(phishingCsv).size,
      env,
      schema: await loadDatasetSchema(phishingSchema),
      limit: 20,
      idPrefix: 'stream1',
      onProgress: (p) => (bytes = p.bytesRead),
    });
    expect(summary).toMatchObject({ file: 's3://bucket/runs/r1/dataset/test.csv', sent: 20, lastLine: 21 });
    expect(bytes).toBeGreaterThan(0);
    expect((await sentWith('stream1')).map((s) => s.features)).toContainEqual(expectedFeatures(21));
  });

  it('paces to --rate: 200 records at 400/s take at least 0.45 s', async () => {
    const summary = await replayFile({
      csv: phishingCsv,
      env,
      schema: phishingSchema,
      rate: 400,
      limit: 200,
      idPrefix: 'rate1',
    });
    expect(summary.sent).toBe(200);
    expect(summary.elapsedMs).toBeGreaterThanOrEqual(450);
    expect(summary.ratePerSecond).toBeLessThanOrEqual(440);
  });

  it('skips rows that fail the schema, counted by reason, and sends the rest', async () => {
    const file = join(scratch, 'some-bad.csv');
    const bad = rowAt(3).slice();
    bad[header.indexOf('URL_Length')] = '7';
    const missing = rowAt(4).slice();
    missing[header.indexOf('SFH')] = 'na';
    writeFileSync(file, [lines[0], lines[1], bad.join(','), missing.join(','), lines[4]].join('\n') + '\n');
    const summary = await replayFile({ csv: file, env, schema: phishingSchema, idPrefix: 'bad1' });
    expect(summary.sent).toBe(3);
    expect(summary.skipped.total).toBe(1);
    expect(summary.skipped.byReason).toEqual({ 'NOT_ALLOWED URL_Length': 1 });
    expect(summary.skipped.sample).toEqual([{ line: 3, reasons: ['URL_Length: 7 not in {-1, 0, 1}'] }]);
    const sent = await sentWith('bad1');
    expect(sent.map((s) => s.recordId).sort()).toEqual(['bad1-2', 'bad1-4', 'bad1-5']);
    // A missing token in a nullable column is sent as null.
    expect(sent.find((s) => s.recordId === 'bad1-4')!.features.SFH).toBeNull();
  });

  it('stops after the batch in flight when its signal aborts, and says so', async () => {
    const abort = new AbortController();
    const summary = await replayFile({
      csv: phishingCsv,
      env,
      schema: phishingSchema,
      rate: 2_000,
      idPrefix: 'stop1',
      signal: abort.signal,
      onProgress: (p) => {
        if (p.sent >= 200) abort.abort();
      },
    });
    expect(summary.interrupted).toBe(true);
    expect(summary.sent).toBeGreaterThanOrEqual(200);
    expect(summary.sent).toBeLessThan(1_000);
    expect(offsetSum(summary.endOffsets) - offsetSum(summary.startOffsets)).toBe(summary.sent);
  });

  it('refuses an unknown dataset and a file no loaded dataset fits, before sending anything', async () => {
    const before = await topicTotal();
    await expect(replayFile({ csv: phishingCsv, env, idPrefix: 'has space' })).rejects.toThrow(
      ReplayInputError,
    );
    await expect(replayFile({ csv: phishingCsv, env, dataset: 'nope', idPrefix: 'x1' })).rejects.toThrow(
      ReplayInputError,
    );
    const file = join(scratch, 'thirteen.csv');
    writeFileSync(file, `${header.slice(0, 13).join(',')}\n${rowAt(2).slice(0, 13).join(',')}\n`);
    await expect(replayFile({ csv: file, env, idPrefix: 'x2' })).rejects.toThrow(
      /fits none of the loaded datasets \(nsl-kdd, phishing\)/,
    );
    expect(await topicTotal()).toBe(before);
  });
});

describe('netsentry replay', () => {
  let stdout = '';
  let stderr = '';
  async function run(args: string[]): Promise<number> {
    stdout = '';
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(
      (c: string | Uint8Array) => ((stdout += String(c)), true),
    );
    vi.spyOn(process.stderr, 'write').mockImplementation(
      (c: string | Uint8Array) => ((stderr += String(c)), true),
    );
    const saved = { ...process.env };
    Object.assign(process.env, env);
    process.exitCode = undefined;
    try {
      await buildProgram().parseAsync(['node', 'netsentry', ...args]);
      return typeof process.exitCode === 'number' ? process.exitCode : 0;
    } finally {
      process.exitCode = undefined;
      process.env = saved;
      vi.restoreAllMocks();
    }
  }

  it('prints the JSON summary on stdout and progress on stderr, exit 0', async () => {
    const code = await run([
      'replay',
      phishingCsv,
      '--format',
      'json',
      '--limit',
      '120',
      '--id-prefix',
      'cli1',
      '--json',
    ]);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as ReplaySummary;
    expect(summary).toMatchObject({ sent: 120, idPrefix: 'cli1', format: 'json', dataset: 'phishing' });
    expect(stderr).toMatch(/100% 120 sent/);
    expect(stderr).not.toMatch(/kafkajs/i);
  });

  it('exits 2 naming the columns when the header does not fit the schema', async () => {
    const before = await topicTotal();
    const code = await run([
      'replay',
      data('nsl-kdd/KDDTest+.csv.gz'),
      '--schema',
      phishingSchema,
      '--id-prefix',
      'cli2',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /refused .*KDDTest\+\.csv\.gz: the file does not match dataset schema 'phishing': missing columns: having_IP_Address/,
    );
    expect(await topicTotal()).toBe(before);
  });
});
