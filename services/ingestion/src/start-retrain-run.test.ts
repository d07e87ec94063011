import { Test } from '@nestjs/testing';
import { rootEnvelope, type EventByTopic } from '@netsentry/contracts';
import { parseDatasetSchema } from '@netsentry/dataset';
import type { StoredRecord } from '@netsentry/records';
import {
  ARTIFACT_STORE,
  configProvider,
  NonRetryableError,
  RECORD_STORE,
  REGISTRY,
  silentLogger,
  STAGE_RESOURCES,
  StageResources,
  type StageOutput,
} from '@netsentry/runtime';
import { MemoryArtifacts, MemoryRegistry } from '@netsentry/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import type { IngestionRecords } from './ingest-snapshot';
import { INGESTION_SETTINGS, ingestionSection } from './ingestion.config';
import { runIdFor, StartRetrainRun } from './start-retrain-run';

// The use case with in-memory stores: 200 loaded records of one dataset, the registry's runs and lineage.

const schemaText = `format: netsentry/dataset-schema@1
name: flows
target: { column: label, positive: [attack] }
columns:
  bytes: { type: numeric, min: 0 }
  proto: { type: categorical, values: [tcp, udp] }
  label: { type: categorical, values: [normal, attack] }
`;
const schema = parseDatasetSchema(schemaText);
const loaded: StoredRecord[] = Array.from({ length: 200 }, (_, i) => ({
  _id: `r${String(i).padStart(4, '0')}`,
  values: { bytes: 100 + i, proto: i % 3 === 0 ? 'udp' : 'tcp', label: i % 4 === 0 ? 'attack' : 'normal' },
  source: { fileSha256: 'f'.repeat(64), line: i + 2 },
  loadedAt: new Date(0),
}));
const records: IngestionRecords = {
  currentSchema: (dataset) =>
    Promise.resolve(dataset === 'flows' ? { schema, text: schemaText, fileName: 'flows.yaml' } : null),
  spoolSnapshot: (dataset) =>
    Promise.resolve({
      async *records() {
        for (const r of dataset === 'flows' ? loaded : []) yield await Promise.resolve(r);
      },
      close: () => Promise.resolve(),
    }),
};

let artifacts: MemoryArtifacts;
let registry: MemoryRegistry;

async function useCase(env: Record<string, string> = {}): Promise<StartRetrainRun> {
  const module = await Test.createTestingModule({
    providers: [
      { provide: STAGE_RESOURCES, useValue: new StageResources(env) },
      configProvider(INGESTION_SETTINGS, ingestionSection),
      { provide: RECORD_STORE, useValue: records },
      { provide: ARTIFACT_STORE, useValue: artifacts },
      { provide: REGISTRY, useValue: registry },
      StartRetrainRun,
    ],
  }).compile();
  return module.get(StartRetrainRun);
}

function retrain(datasetName: string | null = 'flows'): EventByTopic['admin.commands'] {
  return {
    envelope: rootEnvelope('admin.commands', { producer: { service: 'cli', version: 'test' } }),
    command: 'RETRAIN',
    reason: 'unit test',
    requestedBy: 'test',
    targetModelVersion: null,
    datasetName,
    nonce: null,
    signature: null,
  };
}

async function execute(useCase_: StartRetrainRun, command = retrain()): Promise<StageOutput> {
  const out = await useCase_.execute(command, { envelope: command.envelope, logger: silentLogger });
  return out as StageOutput;
}

beforeEach(() => {
  artifacts = new MemoryArtifacts();
  registry = new MemoryRegistry();
});

describe('StartRetrainRun', () => {
  it('opens the run and writes the snapshot and its split with their lineage', async () => {
    const command = retrain();
    const out = await execute(await useCase({ NETSENTRY_SPLIT_TEST_RATIO: '0.25' }), command);
    const runId = runIdFor(command.envelope.eventId);
    expect(out.topic).toBe('data.ingested');
    expect(out.runId).toBe(runId);
    const event = out.event as EventByTopic['data.ingested'];
    expect(event.rows.snapshot).toBe(200);
    expect(event.rows.train + event.rows.test).toBe(200);
    expect(Math.abs(event.rows.test - 50)).toBeLessThanOrEqual(2); // a stratified 25%, per class rounded
    expect(event.split.testRatio).toBe(0.25);

    const csv = (await artifacts.getBuffer(event.dataset.snapshot)).toString('utf8').trim().split('\n');
    expect(csv[0]).toBe('bytes,proto,label');
    expect(csv).toHaveLength(201);
    const lineage = await registry.artifacts.byRun(runId);
    const parentsOf = (kind: string): string[] => lineage.find((a) => a.kind === kind)!.parents;
    const schemaUri = lineage.find((a) => a.kind === 'dataset/schema')!.uri;
    expect(parentsOf('dataset/snapshot')).toEqual([schemaUri]);
    expect(parentsOf('dataset/train')).toEqual([event.dataset.snapshot.uri]);
    expect(parentsOf('dataset/test')).toEqual([event.dataset.snapshot.uri]);

    const run = (await registry.runs.get(runId))!;
    expect(run.dataset).toBe('flows');
    expect(run.stages.ingestion!.detail).toBe(`200 rows: ${event.rows.train} train, ${event.rows.test} test`);
  });

  it('takes NETSENTRY_DEFAULT_DATASET for a RETRAIN that names none', async () => {
    const out = await execute(await useCase({ NETSENTRY_DEFAULT_DATASET: 'flows' }), retrain(null));
    expect((out.event as EventByTopic['data.ingested']).dataset.datasetName).toBe('flows');
  });

  it('refuses a RETRAIN while a run of the dataset is in progress, naming it; an abandoned one does not block', async () => {
    const trigger = { commandId: null, reason: 'earlier' };
    await registry.runs.openRun({ runId: 'run-busy', correlationId: 'c', trigger, dataset: 'flows' });
    const failure = await execute(await useCase()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(NonRetryableError);
    expect((failure as NonRetryableError).code).toBe('RUN_IN_PROGRESS');
    expect((failure as Error).message).toMatch(
      /^RETRAIN of flows refused: run run-busy of this dataset is in progress/,
    );

    await registry.runs.finishRun('run-busy', 'failed');
    const startedAt = new Date(Date.now() - 3 * 60 * 60_000); // older than the 2 h default
    await registry.runs.openRun({
      runId: 'run-stale',
      correlationId: 'c',
      trigger,
      dataset: 'flows',
      startedAt,
    });
    expect((await execute(await useCase())).topic).toBe('data.ingested');
  });

  it('refuses a dataset without records, saying how to load it', async () => {
    const failure = await execute(await useCase(), retrain('unknown')).catch((e: unknown) => e);
    expect((failure as { retryable: boolean }).retryable).toBe(false);
    expect((failure as Error).message).toMatch(/dataset 'unknown' has no records: load it first/);
  });

  it('a bad setting fails the start, naming the variable', async () => {
    await expect(useCase({ NETSENTRY_SPLIT_TEST_RATIO: '1.5' })).rejects.toThrow(
      /NETSENTRY_SPLIT_TEST_RATIO/,
    );
  });
});
