import { Test } from '@nestjs/testing';
import { ContractRegistry } from '@netsentry/contracts';
import { featureSetId } from '@netsentry/dataset';
import { toySchema, toyTask, type OpenBundle } from '@netsentry/ml';
import { LOGGER } from '@netsentry/observability';
import type { BatchRecord, InboundMessage, RuntimeLogger, StageBatch } from '@netsentry/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toyBundle } from '../../test/support/bundle-scorer';
import { toyLoadedModel } from '../../test/support/loaded-model';
import { jsonRows } from '../../test/support/toy-rows';
import { INFERENCE_CONFIG, type InferenceSettings } from '../inference.config';
import { InferenceMetrics } from '../inference.metrics';
import { ModelHolder, type LoadedModel } from '../model/model-holder';
import { CHUNK_SCORER, InlineChunkScorer } from '../scoring/chunk-scorer';
import {
  ENVELOPE_PRODUCER,
  NoModelLoadedError,
  RefusedRecordError,
  ScoreTrafficBatch,
} from './score-traffic-batch';

// The stream's use case without Kafka: a chunk of live records (the producer's bytes) in, one encoded
// prediction per accepted record out (scored by the served bundle), refused records handed back with their
// reason codes. On this thread (InlineChunkScorer): the scoring thread runs the same scoreChunk, and the
// integration suites run it.

const contracts = ContractRegistry.bundled();
const schema = toySchema();
const test = toyTask(40, 11);
const rows = jsonRows(test.features);
let bundle: OpenBundle;

const settings: InferenceSettings = {
  dataset: 'toy',
  batch: { maxRecords: 2_000, partitionsConcurrently: 4, maxWaitMs: 20 },
  jsonIgnoredKeys: [],
  scoringThread: false,
  drift: {
    enabled: false,
    windowSize: 5_000,
    numericThreshold: 0.1,
    categoricalThreshold: 0.1,
    shareThreshold: 0.5,
    evaluateEveryMs: 1_000,
    retrain: false,
    cooldownMs: 60_000,
  },
  adminSecret: null,
};

const silent: RuntimeLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  child: () => silent,
};

async function useCase(model: LoadedModel | null): Promise<ScoreTrafficBatch> {
  const module = await Test.createTestingModule({
    providers: [
      ScoreTrafficBatch,
      InferenceMetrics,
      { provide: ModelHolder, useValue: { current: model } },
      { provide: INFERENCE_CONFIG, useValue: settings },
      { provide: ENVELOPE_PRODUCER, useValue: { service: 'inference', version: 'test' } },
      {
        provide: CHUNK_SCORER,
        useValue: new InlineChunkScorer(settings, { service: 'inference', version: 'test' }),
      },
      { provide: LOGGER, useValue: silent },
    ],
  }).compile();
  return module.get(ScoreTrafficBatch);
}

function loaded(): LoadedModel {
  return toyLoadedModel(bundle, schema);
}

/** A live record as the producer wrote it: JSON, map or dense form. */
function record(i: number, features: Record<string, unknown>, dense = false): BatchRecord<InboundMessage> {
  const names = schema.features.map((c) => c.name);
  const body = dense
    ? {
        recordId: `r${i}`,
        source: 'unit',
        observedAt: 1_000,
        featureSet: featureSetId(names),
        values: names.map((n) => features[n] ?? null),
      }
    : { recordId: `r${i}`, source: 'unit', observedAt: 1_000, features };
  return raw(i, Buffer.from(JSON.stringify(body)));
}

function raw(i: number, value: Buffer): BatchRecord<InboundMessage> {
  const message: InboundMessage = {
    topic: 'traffic.records',
    kafkaTopic: 'unit.traffic.records',
    partition: 0,
    offset: String(i),
    key: Buffer.from(`r${i}`),
    value,
    timestamp: Date.now(),
  };
  return { value: message, message };
}

function batch(records: BatchRecord<InboundMessage>[]): StageBatch<InboundMessage> {
  return {
    stage: 'inference',
    topic: 'traffic.records',
    kafkaTopic: 'unit.traffic.records',
    partition: 0,
    records,
    undecodable: [],
    receivedAt: Date.now(),
    attempt: 1,
    logger: silent,
    signal: new AbortController().signal,
  };
}

const features = (i: number): Record<string, unknown> => {
  const { recordId: _id, ...rest } = rows[i]!;
  return rest;
};

beforeAll(async () => {
  bundle = await toyBundle();
});
afterAll(() => bundle?.free());

describe('ScoreTrafficBatch', () => {
  it('gives each record, map or dense, exactly one prediction keyed by its id, scored by the served bundle', async () => {
    const scoring = await useCase(loaded());
    const records = rows.map((_, i) => record(i, features(i), i % 2 === 1));
    const result = await scoring.execute(batch(records));
    expect(result.rejected).toEqual([]);
    const predictions = (result.outputs ?? []).filter((o) => o.topic === 'traffic.predictions');
    expect(predictions).toHaveLength(rows.length);
    const expected = bundle.scoreFrame(test.features);
    predictions.forEach((o, i) => {
      const p = contracts.decode('traffic.predictions', o.value);
      expect(o.key).toBe(`r${i}`);
      expect(p).toMatchObject({ recordId: `r${i}`, modelVersion: 'v7', dataset: 'toy', source: 'unit' });
      expect(p.score).toBe(expected[i]);
      expect(p.label).toBe(expected[i]! >= bundle.bundle.threshold ? 'attack' : 'normal');
    });
  });

  it('hands refused records back with their reason codes and scores the rest', async () => {
    const scoring = await useCase(loaded());
    const missing = features(0);
    delete missing[schema.features[0]!.name];
    const refusedDense = raw(
      2,
      Buffer.from(JSON.stringify({ recordId: 'r2', featureSet: 'fs1:0000000000000000', values: [] })),
    );
    const garbage = raw(3, Buffer.from([0x00, 0x01, 0x02]));
    const result = await scoring.execute(
      batch([record(0, missing), record(1, features(1)), refusedDense, garbage]),
    );
    expect(result.rejected?.map((r) => (r.error as RefusedRecordError).code)).toEqual([
      'MISSING_FEATURE',
      'UNKNOWN_FEATURE_SET',
      'NOT_AVRO_OR_JSON',
    ]);
    expect(result.rejected?.map((r) => r.message.offset)).toEqual(['0', '2', '3']);
    expect(result.rejected?.every((r) => r.error instanceof RefusedRecordError && !r.error.retryable)).toBe(
      true,
    );
    const predictions = (result.outputs ?? []).map((o) => contracts.decode('traffic.predictions', o.value));
    expect(predictions.map((p) => p.recordId)).toEqual(['r1']);
  });

  it('refuses to score while no model is loaded', async () => {
    const scoring = await useCase(null);
    await expect(scoring.execute(batch([record(0, features(0))]))).rejects.toThrow(NoModelLoadedError);
  });
});
