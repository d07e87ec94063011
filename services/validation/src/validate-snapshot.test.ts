import { Test } from '@nestjs/testing';
import { rootEnvelope, type ArtifactRef, type EventByTopic } from '@netsentry/contracts';
import { parseDatasetSchema, type DatasetSchema } from '@netsentry/dataset';
import { seededRandom } from '@netsentry/ml';
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
import { ValidateSnapshot } from './validate-snapshot';
import { VALIDATION_POLICY, validationSection } from './validation.config';

// The use case with in-memory stores: a snapshot's splits as CSV artifacts, its schema in the record
// store, the registry's run; the policy from an environment of the test's own, as the service module has it.

const schemaText = `format: netsentry/dataset-schema@1
name: flows
target: { column: label, positive: [attack] }
columns:
  bytes: { type: numeric, min: 0 }
  endpoint: { type: categorical, max_categories: 20 }
  label: { type: categorical, values: [normal, attack] }
`;
const schema = parseDatasetSchema(schemaText);
const runId = 'run-validation-unit';

let artifacts: MemoryArtifacts;
let registry: MemoryRegistry;

async function useCase(
  env: Record<string, string> = {},
  datasetSchema: DatasetSchema = schema,
): Promise<ValidateSnapshot> {
  const module = await Test.createTestingModule({
    providers: [
      { provide: STAGE_RESOURCES, useValue: new StageResources(env) },
      configProvider(VALIDATION_POLICY, validationSection),
      {
        provide: RECORD_STORE,
        useValue: { requireSchema: (): Promise<DatasetSchema> => Promise.resolve(datasetSchema) },
      },
      { provide: ARTIFACT_STORE, useValue: artifacts },
      { provide: REGISTRY, useValue: registry },
      ValidateSnapshot,
    ],
  }).compile();
  return module.get(ValidateSnapshot);
}

/** 4,000 rows: `endpoint` e0..e19 on the first half, all 500 values on the second; 20% to test at random. */
function rows(
  seed: number,
  options: { shiftTest?: 'bytes' | 'endpoint' } = {},
): { train: string[]; test: string[] } {
  const r = seededRandom(seed);
  const train: string[] = [];
  const test: string[] = [];
  for (let i = 0; i < 4_000; i++) {
    const attack = r.next() < 0.4;
    const toTest = r.next() < 0.2;
    let bytes = Math.round((attack ? 900 : 300) + r.next() * 500);
    let endpoint = `e${i < 2_000 ? i % 20 : i % 500}`;
    if (toTest && options.shiftTest === 'bytes') bytes += 2_000;
    if (toTest && options.shiftTest === 'endpoint' && r.next() < 0.5) endpoint = 'e0';
    (toTest ? test : train).push(`${bytes},${endpoint},${attack ? 'attack' : 'normal'}`);
  }
  return { train, test };
}

async function ingested(split: { train: string[]; test: string[] }): Promise<EventByTopic['data.ingested']> {
  const csv = async (kind: string, lines: string[]): Promise<ArtifactRef> =>
    artifacts.put({
      runId,
      kind,
      body: Buffer.from(['bytes,endpoint,label', ...lines].join('\n') + '\n'),
      mediaType: 'text/csv',
      rowCount: lines.length,
    });
  const train = await csv('dataset/train', split.train);
  const test = await csv('dataset/test', split.test);
  const all = split.train.length + split.test.length;
  return {
    envelope: rootEnvelope('data.ingested', { producer: { service: 'ingestion', version: 'test' }, runId }),
    dataset: {
      datasetName: 'flows',
      schema: { name: 'flows.yaml', sha256: schema.sha256 },
      snapshot: await csv('dataset/snapshot', [...split.train, ...split.test]),
      train,
      test,
    },
    rows: { snapshot: all, train: split.train.length, test: split.test.length, duplicates: 0 },
    split: { testRatio: 0.2, seed: 1, stratified: false, duplicateAware: false },
  };
}

async function run(useCase: ValidateSnapshot, event: EventByTopic['data.ingested']): Promise<StageOutput> {
  const out = await useCase.execute(event, { envelope: event.envelope, logger: silentLogger });
  if (out === null || out === undefined || Array.isArray(out)) throw new Error('expected one output');
  return out as StageOutput;
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

describe('ValidateSnapshot', () => {
  it('passes a random split, high-cardinality column included, and stores report and profile with their lineage', async () => {
    const event = await ingested(rows(1));
    const out = await run(await useCase(), event);
    expect(out.topic).toBe('data.validated');
    const validated = out.event as EventByTopic['data.validated'];
    expect(validated.verdict).toMatch(/^PASSED/);
    expect(validated.driftedColumns).toEqual([]);
    const recorded = await registry.artifacts.byRun(runId);
    const report = recorded.find((a) => a.kind === 'report/validation')!;
    expect(report.parents).toEqual([event.dataset.train.uri, event.dataset.test.uri]);
    expect(recorded.find((a) => a.kind === 'profile/reference')!.parents).toEqual([event.dataset.train.uri]);
    const stored = await artifacts.getJson<{
      splitDrift: { columns: { column: string; drifted: boolean }[] };
    }>(validated.report);
    expect(stored.splitDrift.columns.map((c) => [c.column, c.drifted])).toEqual([
      ['bytes', false],
      ['endpoint', false],
    ]);
    expect((await registry.runs.get(runId))!.stages.validation!.status).toBe('succeeded');
  });

  it('quarantines a split whose test half has one column shifted, naming it, and ends the run with the reason', async () => {
    const out = await run(await useCase(), await ingested(rows(1, { shiftTest: 'bytes' })));
    expect(out.topic).toBe('data.quarantined');
    const quarantined = out.event as EventByTopic['data.quarantined'];
    expect(quarantined.verdict).toBe('DRIFTED');
    expect(quarantined.driftedColumns).toEqual(['bytes']);
    const run_ = (await registry.runs.get(runId))!;
    expect(run_.status).toBe('quarantined');
    expect(run_.reason).toMatch(/^train vs test: 1 of 2 columns drifted .*bytes/);
  });

  it('a real shift of the high-cardinality column is still drift', async () => {
    const out = await run(await useCase(), await ingested(rows(1, { shiftTest: 'endpoint' })));
    expect(out.topic).toBe('data.quarantined');
    expect((out.event as EventByTopic['data.quarantined']).driftedColumns).toEqual(['endpoint']);
  });

  it('without the grouping and the significance check, the same random split reads as drifted (the old defect)', async () => {
    // Raising max_categories past the column's 500 values and turning the check off brings back the
    // comparison validation made before decision 0075.
    const wide: DatasetSchema = {
      ...schema,
      features: schema.features.map((c) => (c.name === 'endpoint' ? { ...c, maxCategories: 1_000 } : c)),
    };
    const plain = await useCase({ NETSENTRY_VALIDATION_DRIFT_SIGNIFICANCE: '1' }, wide);
    const out = await run(plain, await ingested(rows(1)));
    expect(out.topic).toBe('data.quarantined');
    expect((out.event as EventByTopic['data.quarantined']).reasons[0]).toMatch(
      /endpoint \(jensen-shannon 0\.[3-9]/,
    );
  });

  it('refuses a drift override whose method does not suit the column, without retries, naming the variable', async () => {
    const useCase_ = await useCase({ NETSENTRY_VALIDATION_DRIFT_COLUMNS: '{"endpoint": {"method": "ks"}}' });
    const failure = await useCase_
      .execute(await ingested(rows(1)), {
        envelope: rootEnvelope('data.ingested', {
          producer: { service: 'ingestion', version: 'test' },
          runId,
        }),
        logger: silentLogger,
      })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(NonRetryableError);
    expect((failure as NonRetryableError).code).toBe('INVALID_DRIFT_POLICY');
    expect((failure as Error).message).toBe(
      `NETSENTRY_VALIDATION_DRIFT_COLUMNS: "endpoint" is a categorical column of dataset 'flows'; ks compares numbers (use chisquare, z, jensenshannon or psi)`,
    );
  });
});

describe('validation config', () => {
  it.each([
    ['{not json', /not valid JSON/],
    ['[1, 2]', /expected a JSON object of column name/],
    ['{"bytes": {"method": "kss"}}', /"bytes"\.method: expected one of ks, chisquare/],
    ['{"bytes": {"threshold": -1}}', /"bytes"\.threshold: expected a number >= 0, got -1/],
    ['{"bytes": {"treshold": 0.2}}', /"bytes": unknown key "treshold"/],
  ])(
    'a bad NETSENTRY_VALIDATION_DRIFT_COLUMNS (%s) fails the start, naming the variable',
    async (value, why) => {
      const start = useCase({ NETSENTRY_VALIDATION_DRIFT_COLUMNS: value });
      await expect(start).rejects.toThrow(/NETSENTRY_VALIDATION_DRIFT_COLUMNS/);
      await expect(useCase({ NETSENTRY_VALIDATION_DRIFT_COLUMNS: value })).rejects.toThrow(why);
    },
  );

  it('reads the stage environment, not process.env', async () => {
    process.env.NETSENTRY_VALIDATION_DRIFT_COLUMNS = '{not json';
    try {
      await expect(useCase({})).resolves.toBeInstanceOf(ValidateSnapshot);
    } finally {
      delete process.env.NETSENTRY_VALIDATION_DRIFT_COLUMNS;
    }
  });
});
