import { Test, type TestingModule } from '@nestjs/testing';
import { rootEnvelope, type ArtifactRef, type EventByTopic } from '@netsentry/contracts';
import { parseDatasetSchema, type DatasetSchema } from '@netsentry/dataset';
import { decodeMatrix, parsePreprocessor, seededRandom } from '@netsentry/ml';
import {
  ARTIFACT_STORE,
  configProvider,
  RECORD_STORE,
  REGISTRY,
  silentLogger,
  STAGE_RESOURCES,
  StageResources,
  type StageOutput,
} from '@netsentry/runtime';
import { MemoryArtifacts, MemoryRegistry } from '@netsentry/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TRANSFORM_SETTINGS, transformSection } from './transform.config';
import { TransformSnapshot } from './transform-snapshot';
import { TransformWorkers } from './transform-workers';

// The use case with in-memory stores and one worker thread: a validated snapshot's splits as CSV
// artifacts, the preprocessor and matrices it stores, their lineage and the run's stage summary.

const schemaText = `format: netsentry/dataset-schema@1
name: flows
target: { column: label, positive: [attack] }
columns:
  bytes: { type: numeric, min: 0 }
  duration: { type: numeric, min: 0, nullable: true }
  proto: { type: categorical, values: [tcp, udp, icmp] }
  label: { type: categorical, values: [normal, attack] }
`;
const schema = parseDatasetSchema(schemaText);
const runId = 'run-transform-unit';

let artifacts: MemoryArtifacts;
let registry: MemoryRegistry;
let module: TestingModule | null = null;

async function useCase(env: Record<string, string> = {}): Promise<TransformSnapshot> {
  module = await Test.createTestingModule({
    providers: [
      {
        provide: STAGE_RESOURCES,
        useValue: new StageResources({ NETSENTRY_TRANSFORM_WORKERS: '1', ...env }),
      },
      configProvider(TRANSFORM_SETTINGS, transformSection),
      {
        provide: RECORD_STORE,
        useValue: { requireSchema: (): Promise<DatasetSchema> => Promise.resolve(schema) },
      },
      { provide: ARTIFACT_STORE, useValue: artifacts },
      { provide: REGISTRY, useValue: registry },
      TransformWorkers,
      TransformSnapshot,
    ],
  }).compile();
  return module.get(TransformSnapshot);
}

/** `rows` flows, `attackShare` of them attacks (more bytes), a few durations missing. */
function lines(rows: number, seed: number, attackShare: number): string[] {
  const r = seededRandom(seed);
  return Array.from({ length: rows }, (_, i) => {
    const attack = r.next() < attackShare;
    const bytes = Math.round((attack ? 900 : 300) + r.next() * 400);
    const duration = i % 17 === 0 ? '' : (r.next() * 10).toFixed(3);
    const proto = ['tcp', 'udp', 'icmp'][Math.floor(r.next() * 3)]!;
    return `${bytes},${duration},${proto},${attack ? 'attack' : 'normal'}`;
  });
}

async function validated(attackShare: number): Promise<EventByTopic['data.validated']> {
  const csv = (kind: string, body: string[]): Promise<ArtifactRef> =>
    artifacts.put({
      runId,
      kind,
      body: Buffer.from(['bytes,duration,proto,label', ...body].join('\n') + '\n'),
      mediaType: 'text/csv',
      rowCount: body.length,
    });
  const train = await csv('dataset/train', lines(400, 1, attackShare));
  const test = await csv('dataset/test', lines(100, 2, attackShare));
  const report = await artifacts.putJson({ runId, kind: 'report/validation', value: {} });
  return {
    envelope: rootEnvelope('data.validated', { producer: { service: 'validation', version: 'test' }, runId }),
    dataset: {
      datasetName: 'flows',
      schema: { name: 'flows.yaml', sha256: schema.sha256 },
      snapshot: train,
      train,
      test,
    },
    verdict: 'PASSED',
    report,
    reasons: [],
    driftedColumns: [],
    referenceModelVersion: null,
  };
}

async function execute(useCase_: TransformSnapshot, event: EventByTopic['data.validated']) {
  const out = (await useCase_.execute(event, {
    envelope: event.envelope,
    logger: silentLogger,
  })) as StageOutput;
  expect(out.topic).toBe('data.transformed');
  return out.event as EventByTopic['data.transformed'];
}

beforeEach(async () => {
  artifacts = new MemoryArtifacts();
  registry = new MemoryRegistry();
  await registry.runs.openRun({
    runId,
    correlationId: 'c',
    trigger: { commandId: null, reason: 'test' },
    dataset: 'flows',
  });
});

afterEach(async () => {
  await module?.close(); // closes the worker pool
  module = null;
});

describe('TransformSnapshot', () => {
  it('stores the preprocessor and both matrices with their lineage, and records the stage', async () => {
    const event = await validated(0.4);
    const transformed = await execute(await useCase(), event);
    // bytes, duration and proto's three values plus the unknown bucket.
    expect(transformed.featureCount).toBe(2 + 4);
    expect(transformed.resampling).toBe('NONE'); // 40% attacks: no rebalancing under `auto`
    expect(transformed.unbalancedTrain).toBeNull();
    const preprocessor = parsePreprocessor(
      (await artifacts.getBuffer(transformed.preprocessor)).toString('utf8'),
    );
    expect(preprocessor.outputFeatures).toHaveLength(transformed.featureCount);
    const train = decodeMatrix(await artifacts.getBuffer(transformed.train));
    const test = decodeMatrix(await artifacts.getBuffer(transformed.test));
    expect([train.rows, test.rows]).toEqual([400, 100]);
    expect(Array.from(train.X).every(Number.isFinite)).toBe(true); // missing durations imputed

    const lineage = await registry.artifacts.byRun(runId);
    const parentsOf = (uri: string): string[] => lineage.find((a) => a.uri === uri)!.parents;
    expect(parentsOf(transformed.preprocessor.uri)).toEqual([event.dataset.train.uri]);
    expect(parentsOf(transformed.train.uri)).toEqual([event.dataset.train.uri, transformed.preprocessor.uri]);
    expect(parentsOf(transformed.test.uri)).toEqual([event.dataset.test.uri, transformed.preprocessor.uri]);
    const stage = (await registry.runs.get(runId))!.stages.transform!;
    expect(stage.status).toBe('succeeded');
    expect(stage.detail).toMatch(/^6 features; train /);
  });

  it('rebalances a train split below the minority share and keeps the unbalanced one for the trainer', async () => {
    const transformed = await execute(
      await useCase({ NETSENTRY_TRANSFORM_SMOTE_K: '3' }),
      await validated(0.08),
    );
    expect(transformed.resampling).toBe('SMOTE_TOMEK');
    expect(transformed.classCountsAfter['1']!).toBeGreaterThan(transformed.classCountsBefore['1']!);
    expect(transformed.unbalancedTrain).not.toBeNull();
    expect(transformed.resamplingSettings).toEqual({ k: 3, seed: 42 });
    const unbalanced = decodeMatrix(await artifacts.getBuffer(transformed.unbalancedTrain!));
    expect(unbalanced.rows).toBe(400);
  });

  it('a bad setting fails the start, naming the variable', async () => {
    await expect(useCase({ NETSENTRY_TRANSFORM_KNN_K: '0' })).rejects.toThrow(/NETSENTRY_TRANSFORM_KNN_K/);
  });
});
