import { ContractRegistry, TOPIC_CATALOGUE, sampleEvent, topicName } from '@netsentry/contracts';
import { provisionTopics } from '@netsentry/runtime';
import { isolatedStageEnv, newKafka, uniqueName } from '@netsentry/testkit';
import type { Message, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endOffsets } from '../src/topic-reader';
import { watchPredictions } from '../src/traffic-watch';

// watchPredictions against a real Kafka: predictions and dead letters this test writes itself, in
// committed and aborted transactions, as the inference service writes them.

const env = isolatedStageEnv('watch');
const prefix = env.NETSENTRY_TOPIC_PREFIX!;
const predictions = topicName(prefix, 'traffic.predictions');
const dlq = topicName(prefix, 'traffic.dlq');
const contracts = ContractRegistry.bundled();
const kafka = newKafka('watch-it');
let producer: Producer;

function prediction(
  recordId: string,
  at: number,
  over: { modelVersion?: string; label?: string; endToEndMs?: number | null; scoringMs?: number } = {},
): Message {
  const event = {
    ...sampleEvent('traffic.predictions'),
    recordId,
    source: 'netsentry-replay',
    dataset: 'phishing',
    label: over.label ?? 'legitimate',
    isPositive: over.label === 'phishing',
    modelVersion: over.modelVersion ?? 'm-a',
    endToEndMs: over.endToEndMs === undefined ? 100 : over.endToEndMs,
    scoringMs: over.scoringMs ?? 2,
  };
  return { key: recordId, value: contracts.encode('traffic.predictions', event), timestamp: String(at) };
}

function deadLetter(recordId: string, errorCode: string): Message {
  const event = {
    ...sampleEvent('traffic.dlq'),
    originalTopic: topicName(prefix, 'traffic.records'),
    originalKey: Buffer.from(recordId),
    errorCode,
    reason: `${errorCode} for ${recordId}`,
  };
  return { key: recordId, value: contracts.encode('traffic.dlq', event) };
}

/** One transaction of predictions, committed or aborted, as inference writes them. */
async function transaction(messages: Message[], outcome: 'commit' | 'abort'): Promise<void> {
  const tx = await producer.transaction();
  await tx.send({ topic: predictions, messages });
  await (outcome === 'commit' ? tx.commit() : tx.abort());
}

let since: number;
const ids = Array.from({ length: 10 }, (_, i) => `w1-${i + 1}`);

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, prefix, [
    TOPIC_CATALOGUE['traffic.predictions'],
    TOPIC_CATALOGUE['traffic.dlq'],
  ]);
  await admin.disconnect();
  producer = kafka.producer({
    transactionalId: uniqueName('watch-it'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();

  // Before `since`: a prediction of the same id scheme that the watch must not count.
  await transaction([prediction('w1-1', Date.now(), { modelVersion: 'm-old' })], 'commit');
  await new Promise((r) => setTimeout(r, 50));
  since = Date.now();
  const t0 = since + 100;
  // w1-1 … w1-7 predicted over one second, by two model versions; w1-3 twice (a duplicate).
  await transaction(
    [1, 2, 3, 4, 5, 6, 7].map((n) =>
      prediction(`w1-${n}`, t0 + (n - 1) * 100, {
        modelVersion: n <= 5 ? 'm-a' : 'm-b',
        label: n % 2 === 0 ? 'phishing' : 'legitimate',
        endToEndMs: n === 7 ? null : n * 10,
        scoringMs: n,
      }),
    ),
    'commit',
  );
  await transaction([prediction('w1-3', t0 + 1_000)], 'commit');
  // w1-10 predicted in a transaction that is aborted: read_committed never sees it.
  await transaction([prediction('w1-10', t0 + 500)], 'abort');
  // Another replay's prediction in the same window.
  await transaction([prediction('other-1', t0 + 200)], 'commit');
  // w1-8 and w1-9 dead-lettered (keyed by the record id, as inference keeps the original key).
  await producer.send({
    topic: dlq,
    acks: -1,
    messages: [
      deadLetter('w1-8', 'WRONG_TYPE'),
      deadLetter('w1-9', 'UNEXPECTED_FEATURE'),
      deadLetter('other-2', 'WRONG_TYPE'),
    ],
  });
});

afterAll(async () => {
  await producer?.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
});

describe('watchPredictions', () => {
  it('counts predictions, duplicates and dead letters of the prefix since a time; an aborted one is missing', async () => {
    const started = Date.now();
    const result = await watchPredictions({
      env,
      idPrefix: 'w1',
      expected: 10,
      timeoutMs: 4_000,
      since,
      recordIds: ids,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
    expect(result).toMatchObject({
      idPrefix: 'w1',
      expected: 10,
      predicted: 7,
      duplicates: 1,
      duplicateIds: ['w1-3'],
      deadLettered: 2,
      deadLetteredByCode: { WRONG_TYPE: 1, UNEXPECTED_FEATURE: 1 },
      accounted: 9,
      complete: false,
      timedOut: true,
      // 8 predictions: m-old (before `since`) is not among them.
      modelVersions: { 'm-a': 6, 'm-b': 2 },
      labels: { legitimate: 5, phishing: 3 },
      missing: 1,
      missingIds: ['w1-10'],
    });
    // endToEndMs of w1-1…w1-6 (10…60) and the duplicate's 100; w1-7 had none.
    expect(result.endToEndMs).toEqual({ count: 7, p50: 40, p99: 100, max: 100 });
    expect(result.scoringMs).toEqual({ count: 8, p50: 3, p99: 7, max: 7 });
    // 8 predictions between the first (t0) and the last (t0 + 1 s) Kafka timestamp.
    expect(result.firstPredictionAt).toBe(since + 100);
    expect(result.lastPredictionAt).toBe(since + 1_100);
    expect(result.throughputPerSecond).toBeCloseTo(8);
  });

  it('returns as soon as every id is accounted for, reading from offsets captured before', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const before = { predictions: await endOffsets(admin, predictions), dlq: await endOffsets(admin, dlq) };
    await admin.disconnect();
    await transaction(
      [prediction('w2-1', Date.now()), prediction('w2-2', Date.now(), { modelVersion: 'm-c' })],
      'commit',
    );
    await producer.send({ topic: dlq, acks: -1, messages: [deadLetter('w2-3', 'NOT_FINITE')] });

    const started = Date.now();
    const result = await watchPredictions({
      env,
      idPrefix: 'w2',
      expected: 3,
      timeoutMs: 30_000,
      since: before,
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result).toMatchObject({
      predicted: 2,
      duplicates: 0,
      deadLettered: 1,
      deadLetteredByCode: { NOT_FINITE: 1 },
      complete: true,
      timedOut: false,
      modelVersions: { 'm-a': 1, 'm-c': 1 },
      missing: 0,
      missingIds: null,
    });
  });

  it('from the beginning (no since), sees the prediction written before the time too', async () => {
    const result = await watchPredictions({ env, idPrefix: 'w1', expected: 9, timeoutMs: 20_000 });
    expect(result).toMatchObject({ predicted: 7, duplicates: 2, complete: true });
    expect(result.modelVersions).toMatchObject({ 'm-old': 1 });
  });
});
