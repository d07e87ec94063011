import type { INestApplication } from '@nestjs/common';
import { ContractRegistry, topicName, verifyAdminCommand, writeSingleObject } from '@netsentry/contracts';
import { featureSetId } from '@netsentry/dataset';
import { openBundle, takeRows } from '@netsentry/ml';
import { loadRdkafka, openStores, runStage, type KafkaAvroTransport, type Stores } from '@netsentry/runtime';
import { isolatedStageEnv, newKafka, readTopic } from '@netsentry/testkit';
import type { Message, Producer } from 'kafkajs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceModule } from '../src/inference.module';
import { inferenceStageOptions } from '../src/stage-options';
import { loadFixture, makeProduction, publishPushed, type DatasetFixture } from './support/production-model';
import {
  countById,
  denseMessage,
  readPredictions,
  recordMessage,
  rowFeatures,
  sendAll,
  type WireFormat,
} from './support/traffic';

// Inference against the real Kafka, FerretDB and S3Proxy, in one lifecycle: a phishing model made
// production as the pipeline leaves it, the service started as its main.ts starts it, then live records.
// The batch path runs on the client NETSENTRY_KAFKA_CLIENT names (CI runs the suite with each of them).
const kafkaClient = process.env.NETSENTRY_KAFKA_CLIENT ?? 'auto';
const expectedClient =
  kafkaClient === 'auto' ? (loadRdkafka().module !== null ? 'rdkafka' : 'kafkajs') : kafkaClient;
const env: Record<string, string> = {
  ...isolatedStageEnv('inference'),
  NETSENTRY_KAFKA_CLIENT: kafkaClient,
  NETSENTRY_INFERENCE_DATASET: 'phishing',
  NETSENTRY_INFERENCE_DRIFT_WINDOW: '1000',
  NETSENTRY_INFERENCE_DRIFT_SHARE: '0.3',
  NETSENTRY_INFERENCE_DRIFT_EVALUATE_EVERY: '100ms',
  NETSENTRY_INFERENCE_DRIFT_RETRAIN: 'true',
  NETSENTRY_INFERENCE_DRIFT_COOLDOWN: '1h',
};
const prefix = env.NETSENTRY_TOPIC_PREFIX!;
const contracts = ContractRegistry.bundled();
const kafka = newKafka('inference-it');
const topic = (t: Parameters<typeof topicName>[1]): string => topicName(prefix, t);

let stores: Stores;
let app: INestApplication;
let transport: KafkaAvroTransport;
let producer: Producer;
let phishing: DatasetFixture;
let first: Awaited<ReturnType<typeof makeProduction>>;
let baseUrl: string;
let predicted = 0;

async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

beforeAll(async () => {
  stores = await openStores(env);
  phishing = await loadFixture('phishing.yaml', 'phishing.csv');
  first = await makeProduction(stores, phishing, { rounds: 20, seed: 1 });
  const running = await runStage(InferenceModule, { ...inferenceStageOptions(env), httpPort: 0 });
  app = running.app;
  transport = running.transport;
  const server = app.getHttpServer() as { address(): AddressInfo };
  baseUrl = `http://127.0.0.1:${server.address().port}`;
  producer = kafka.producer();
  await producer.connect();
  await waitFor('the traffic consumer to join its group', () => transport.batches[0]?.ready === true);
}, 180_000);

afterAll(async () => {
  await producer?.disconnect();
  await app?.close();
  await stores?.close();
});

describe('inference against the local servers', () => {
  it('is ready once a model is loaded and the consumer has joined', async () => {
    const res = await fetch(`${baseUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await metric('netsentry_inference_model_info', `version="${first.version}"`)).toBe(1);
  });

  it(`runs the batch path on the Kafka client asked for (${kafkaClient}: ${expectedClient})`, async () => {
    expect(transport.batches.map((b) => b.client)).toEqual([expectedClient]);
    expect(await metric('netsentry_batch_consumer_info', `client="${expectedClient}"`)).toBe(1);
  });

  it('serves the feature order dense records name at GET /features', async () => {
    const res = await fetch(`${baseUrl}/features`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { dataset: string; featureSet: string; features: string[] };
    expect(body.dataset).toBe(phishing.schema.name);
    expect(body.features).toEqual(phishing.schema.features.map((c) => c.name));
    expect(body.featureSet).toBe(featureSetId(body.features));
  });

  it('turns 10,000 records (Avro dense and map, JSON, flat JSON) into 10,000 predictions, one each, equal to scoreFrame', async () => {
    const n = 10_000;
    const formats: WireFormat[] = ['avro-dense', 'avro', 'json', 'json-flat'];
    const messages: Message[] = [];
    for (let i = 0; i < n; i++) {
      messages.push(
        recordMessage(`r-${i}`, rowFeatures(phishing.data.features, i), formats[i % formats.length]!),
      );
    }
    await sendAll(producer, topic('traffic.records'), messages);
    const rows = await readPredictions(kafka, prefix, n);
    predicted = rows.length;
    const counts = countById(rows);
    expect(rows).toHaveLength(n);
    expect(counts.size).toBe(n);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);

    const opened = await openBundle(first.bundle);
    const expected = opened.scoreFrame(
      takeRows(
        phishing.data.features,
        Array.from({ length: n }, (_, i) => i),
      ),
    );
    opened.free();
    for (const row of rows) {
      const i = Number(row.recordId.slice(2));
      expect(row.score).toBe(expected[i]);
      expect(row.modelVersion).toBe(first.version);
      expect(row.label).toBe(expected[i]! >= 0.5 ? 'phishing' : 'legitimate');
    }
  });

  it('answers POST /predict with JSON rows and with a CSV upload, scored like the stream', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({
      recordId: `http-${i}`,
      ...rowFeatures(phishing.data.features, i),
    }));
    const opened = await openBundle(first.bundle);
    const expected = opened.scoreFrame(
      takeRows(
        phishing.data.features,
        rows.map((_, i) => i),
      ),
    );
    opened.free();
    const json = await fetch(`${baseUrl}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records: rows }),
    });
    expect(json.status).toBe(200);
    const body = (await json.json()) as {
      model: { version: string };
      predictions: { recordId: string; score: number }[];
    };
    expect(body.model.version).toBe(first.version);
    expect(body.predictions.map((p) => p.score)).toEqual(Array.from(expected));

    const columns = Object.keys(rows[0]!);
    const csv = [
      columns.join(','),
      ...rows.map((r) => columns.map((c) => String(r[c as keyof typeof r])).join(',')),
    ].join('\n');
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'traffic.csv');
    const upload = await fetch(`${baseUrl}/predict`, { method: 'POST', body: form });
    expect(upload.status).toBe(200);
    const uploaded = (await upload.json()) as { predictions: { recordId: string; score: number }[] };
    expect(uploaded.predictions.map((p) => p.recordId)).toEqual(rows.map((r) => r.recordId));
    expect(uploaded.predictions.map((p) => p.score)).toEqual(Array.from(expected));
    expect((await fetch(`${baseUrl}/docs-json`)).status).toBe(200);
  });

  it('dead-letters each kind of bad input with its reason code, byte for byte, and keeps scoring', async () => {
    const good = (i: number) => rowFeatures(phishing.data.features, i);
    const bad: { code: string; message: Message }[] = [];
    const add = (code: string, count: number, make: (i: number) => Message) => {
      for (let i = 0; i < count; i++) bad.push({ code, message: make(i) });
    };
    add('MISSING_FEATURE', 3, (i) => {
      const f = good(i);
      delete f.SFH;
      return recordMessage(`bad-missing-${i}`, f, 'avro');
    });
    add('UNEXPECTED_FEATURE', 2, (i) =>
      recordMessage(`bad-extra-${i}`, { ...good(i), 'Flow Bytes/s': 1 }, 'json'),
    );
    add('WRONG_TYPE', 2, (i) => recordMessage(`bad-type-${i}`, { ...good(i), URL_Length: 'long' }, 'json'));
    add('NOT_FINITE', 2, (i) =>
      recordMessage(`bad-nan-${i}`, { ...good(i), URL_Length: 'NaN' }, 'json-flat'),
    );
    add('NOT_ALLOWED', 2, (i) =>
      recordMessage(`bad-value-${i}`, { ...good(i), having_IP_Address: '7' }, 'avro'),
    );
    add('UNKNOWN_FEATURE_SET', 2, (i) => {
      const f = good(i);
      return denseMessage(`bad-set-${i}`, 'fs1:00000000deadbeef', Object.values(f));
    });
    add('WRONG_VALUE_COUNT', 1, () => {
      const f = good(0);
      return denseMessage('bad-count', featureSetId(Object.keys(f)), Object.values(f).slice(1));
    });
    add('UNKNOWN_SCHEMA', 1, () => ({
      key: 'bad-fp',
      value: writeSingleObject(0xdeadbeefn, Buffer.from([2, 3])),
    }));
    add('MALFORMED_MESSAGE', 1, () => {
      const ok = recordMessage('bad-truncated', good(0), 'avro').value as Buffer;
      return { key: 'bad-truncated', value: ok.subarray(0, ok.length - 20) };
    });
    add('NOT_AVRO_OR_JSON', 1, () => ({ key: 'bad-bytes', value: Buffer.from([0x00, 0x01, 0x02, 0xff]) }));
    add('MALFORMED_JSON', 1, () => ({ key: 'bad-json', value: Buffer.from('{"recordId": "x", ', 'utf8') }));
    const goodOnes = Array.from({ length: 50 }, (_, i) => recordMessage(`mix-${i}`, good(i + 100), 'avro'));
    const mixed = [...bad.map((b) => b.message), ...goodOnes].sort(() => 0.5 - Math.random());
    await sendAll(producer, topic('traffic.records'), mixed);

    const letters = await readTopic(kafka, topic('traffic.dlq'), { atLeast: bad.length, settleMs: 3_000 });
    const decoded = letters.map((m) => contracts.decode('traffic.dlq', m.value!));
    const byCode = new Map<string, number>();
    for (const d of decoded) byCode.set(d.errorCode, (byCode.get(d.errorCode) ?? 0) + 1);
    const want = new Map<string, number>();
    for (const b of bad) want.set(b.code, (want.get(b.code) ?? 0) + 1);
    expect(Object.fromEntries(byCode)).toEqual(Object.fromEntries(want));
    // The original bytes are kept, and the reason is in words.
    const original = new Map(bad.map((b) => [b.message.value!.toString('hex'), b.code]));
    for (const d of decoded) {
      expect(original.get(Buffer.from(d.originalValue).toString('hex'))).toBe(d.errorCode);
      expect(d.reason.length).toBeGreaterThan(10);
    }
    expect(decoded.find((d) => d.errorCode === 'MISSING_FEATURE')?.reason).toContain("'SFH'");

    const rows = await readPredictions(kafka, prefix, predicted + 50);
    predicted = rows.length;
    expect(rows.filter((r) => r.recordId.startsWith('mix-'))).toHaveLength(50);
    expect(rows.some((r) => r.recordId.startsWith('bad-'))).toBe(false);
    for (const [code, count] of want) {
      expect(await metric('netsentry_inference_dlq_total', `reason="${code}"`)).toBe(count);
    }
  });

  it('swaps to a model pushed mid-stream: the version changes, no record missed or scored twice', async () => {
    const n = 6_000;
    const messages = Array.from({ length: n }, (_, i) =>
      recordMessage(`swap-${i}`, rowFeatures(phishing.data.features, i), 'avro'),
    );
    const sending = (async () => {
      for (let i = 0; i < n; i += 200) {
        await producer.send({
          topic: topic('traffic.records'),
          acks: -1,
          messages: messages.slice(i, i + 200),
        });
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const second = await makeProduction(stores, phishing, { rounds: 5, seed: 2 });
    await publishPushed(producer, prefix, second.version, second.ref, first.version);
    await sending;
    await waitFor(
      'the second model to be served',
      async () => (await metric('netsentry_inference_model_info', `version="${second.version}"`)) === 1,
    );
    const rows = (await readPredictions(kafka, prefix, predicted + n)).filter((r) =>
      r.recordId.startsWith('swap-'),
    );
    const counts = countById(rows);
    expect(counts.size).toBe(n);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    const versions = new Set(rows.map((r) => r.modelVersion));
    expect(versions.has(second.version)).toBe(true);
    expect([...versions].every((v) => v === first.version || v === second.version)).toBe(true);
    // Records sent after the swap are all scored by the new model.
    const last = rows.find((r) => r.recordId === `swap-${n - 1}`)!;
    expect(last.modelVersion).toBe(second.version);
    const opened = await openBundle(second.bundle);
    const expected = opened.scoreFrame(takeRows(phishing.data.features, [n - 1]));
    opened.free();
    expect(last.score).toBe(expected[0]);
    predicted += n;
  }, 120_000);

  it('raises the drift metric on a drifted stream and requests exactly one RETRAIN within the cooldown', async () => {
    const n = 3_000;
    // A sensor gone wrong: it reports the same page over and over, so every feature collapses to one value.
    const stuck = rowFeatures(phishing.data.features, 0);
    const drifted = Array.from({ length: n }, (_, i) => recordMessage(`drift-${i}`, { ...stuck }, 'avro'));
    await sendAll(producer, topic('traffic.records'), drifted, 250);
    await readPredictions(kafka, prefix, predicted + n);
    const alerts = await readTopic(kafka, topic('monitoring.drift'), { atLeast: 1, settleMs: 3_000 });
    const decodedAlerts = alerts.map((m) => contracts.decode('monitoring.drift', m.value!));
    expect(decodedAlerts.filter((a) => a.action === 'RETRAIN_REQUESTED')).toHaveLength(1);
    const alert = decodedAlerts.find((a) => a.action === 'RETRAIN_REQUESTED')!;
    expect(alert.shareDrifted).toBeGreaterThanOrEqual(0.3);
    const driftedFeatures = alert.features.filter((f) => f.drifted);
    expect(driftedFeatures.length / alert.features.length).toBe(alert.shareDrifted);
    for (const f of driftedFeatures) expect(f.value).toBeGreaterThanOrEqual(f.threshold);
    const named = driftedFeatures[0]!.feature;

    const commands = await readTopic(kafka, topic('admin.commands'), { atLeast: 1, settleMs: 3_000 });
    const retrains = commands
      .map((m) => contracts.decode('admin.commands', m.value!))
      .filter((c) => c.command === 'RETRAIN');
    expect(retrains).toHaveLength(1);
    expect(retrains[0]!.envelope.eventId).toBe(alert.retrainCommandId);
    expect(retrains[0]!.datasetName).toBe('phishing');
    expect(retrains[0]!.requestedBy).toBe('inference');
    // Signed with the deployment's admin secret, so ingestion will carry it out.
    expect(verifyAdminCommand(retrains[0]!, env.NETSENTRY_ADMIN_SECRET!)).toMatchObject({ ok: true });
    expect(await metric('netsentry_inference_drift_score', `feature="${named}"`)).toBeGreaterThan(0.1);
    expect(await metric('netsentry_inference_drift_share')).toBeGreaterThanOrEqual(0.3);
  }, 120_000);
});
