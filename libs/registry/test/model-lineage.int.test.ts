import type { ArtifactRef } from '@netsentry/contracts';
import { describe, expect, it } from 'vitest';
import { stageConfig, type Registry } from '../src';
import { useFreshRegistry } from './fresh-db';

// A model's lineage read back from the real MongoDB-wire server (FerretDB), after a run recorded the way
// the stages record it: artifacts with parents, each stage's ledger claim (with its code version), its
// summary (with its settings), the model and its evaluation.
const { registry } = useFreshRegistry();

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

const ref = (runId: string, name: string, hex: string, rowCount: number | null = null): ArtifactRef => ({
  uri: `s3://netsentry/runs/${runId}/${name}`,
  sha256: hex.repeat(64),
  sizeBytes: 1_000,
  rowCount,
  mediaType: 'application/octet-stream',
});

interface Recorded {
  version: string;
  snapshot: ArtifactRef;
  schema: ArtifactRef;
  configs: Record<string, object>;
}

/** One run as the pipeline records it; `opts` leave out what a careless stage would not record. */
async function recordRun(
  reg: Registry,
  runId: string,
  opts: { codeVersion?: string; withConfigs?: boolean; skipSchemaArtifact?: boolean; hex: string },
): Promise<Recorded> {
  const codeVersion = opts.codeVersion ?? COMMIT;
  const withConfigs = opts.withConfigs ?? true;
  await reg.runs.openRun({
    runId,
    correlationId: `cmd-${runId}`,
    trigger: { commandId: `cmd-${runId}`, reason: 'lineage test' },
    dataset: 'phishing',
  });
  const schema = ref(runId, 'dataset/schema/s.yaml', 'a');
  const snapshot = ref(runId, 'dataset/snapshot/s.csv', 'b', 11_055);
  const train = ref(runId, 'dataset/train/t.csv', 'c', 8_844);
  const test = ref(runId, 'dataset/test/t.csv', 'd', 2_211);
  const preprocessor = ref(runId, 'model/preprocessor/p.json', 'e');
  const matrix = ref(runId, 'dataset/train-transformed/m.bin', 'f', 9_000);
  // The version derives from the bundle's sha256 and the second: each run's bundle has its own.
  const bundle = ref(runId, 'model/bundle/b.json', opts.hex);
  const configs: Record<string, object> = {
    ingestion: { dataset: 'phishing', split: { testRatio: 0.2, seed: 42, stratified: true } },
    validation: { conformance: { maxMissingRatio: 0.05, minRows: 100 } },
    transform: { imputation: 'median', resampling: 'smote-tomek', smoteK: 5, seed: 7 },
    trainer: { search: { metric: 'f1', folds: 3, seed: 42, candidates: [{ name: 'xgboost', fixed: {} }] } },
    evaluator: { policy: { metric: 'f1', minimum: 0.9, maxTrainTestGap: 0.05, margin: 0.02 }, samples: 64 },
  };
  const stage = async (
    name: string,
    made: { ref: ArtifactRef; kind: string; parents: ArtifactRef[] }[],
    detail: string,
  ): Promise<void> => {
    const eventId = `${name}-in-${runId}`;
    const claim = await reg.executions.claim({
      stage: name,
      eventId,
      codeVersion,
      runId,
      correlationId: `cmd-${runId}`,
      topic: `t.${name}`,
      partition: 0,
      offset: '0',
    });
    expect(claim).toEqual({ kind: 'claimed', attempt: 1 });
    for (const m of made) {
      await reg.artifacts.record({
        ref: m.ref,
        kind: m.kind,
        runId,
        parents: m.parents.map((p) => p.uri),
        producedBy: { stage: name, eventId },
      });
    }
    await reg.runs.recordStage(runId, name, {
      status: 'succeeded',
      eventId,
      detail,
      ...(withConfigs ? { config: stageConfig(configs[name]!) } : {}),
    });
    await reg.executions.complete(name, eventId, { outputEventIds: [`${name}-out`], durationMs: 12 });
  };
  await stage(
    'ingestion',
    [
      ...(opts.skipSchemaArtifact ? [] : [{ ref: schema, kind: 'dataset/schema', parents: [] }]),
      { ref: snapshot, kind: 'dataset/snapshot', parents: [schema] },
      { ref: train, kind: 'dataset/train', parents: [snapshot] },
      { ref: test, kind: 'dataset/test', parents: [snapshot] },
    ],
    '11055 rows',
  );
  await stage('validation', [], 'PASSED');
  await stage(
    'transform',
    [
      { ref: preprocessor, kind: 'model/preprocessor', parents: [train] },
      { ref: matrix, kind: 'dataset/train-transformed', parents: [train, preprocessor] },
    ],
    '30 features',
  );
  await stage('trainer', [{ ref: bundle, kind: 'model/bundle', parents: [matrix, preprocessor] }], 'xgboost');
  const model = await reg.models.register({
    runId,
    bundle,
    candidate: 'xgboost',
    params: { maxDepth: 6 },
    cvMetrics: { f1: 0.97 },
  });
  await stage('evaluator', [], 'FLOORS_ONLY');
  await reg.models.transition(model.version, ['trained'], 'accepted', {
    reasons: ['f1 0.968 >= 0.900'],
    testMetrics: { f1: 0.968 },
  });
  return { version: model.version, snapshot, schema, configs };
}

describe('Registry.modelLineage', () => {
  it('traces a model to its snapshot and schema by sha256, each stage’s settings, code and run', async () => {
    const recorded = await recordRun(registry(), 'run-lineage-1', { hex: '7' });
    const lineage = await registry().modelLineage(recorded.version);
    expect(lineage).not.toBeNull();
    expect(lineage!.gaps).toEqual([]);
    expect(lineage!.model).toMatchObject({
      status: 'accepted',
      candidate: 'xgboost',
      testMetrics: { f1: 0.968 },
    });
    expect(lineage!.run).toMatchObject({ runId: 'run-lineage-1', dataset: 'phishing', status: 'running' });
    expect(lineage!.data).toMatchObject({
      dataset: 'phishing',
      schema: { sha256: recorded.schema.sha256, uri: recorded.schema.uri },
      snapshot: { sha256: recorded.snapshot.sha256, rowCount: 11_055, producedBy: { stage: 'ingestion' } },
      train: { rowCount: 8_844 },
      test: { rowCount: 2_211 },
    });
    expect(lineage!.stages.map((s) => s.stage)).toEqual([
      'ingestion',
      'validation',
      'transform',
      'trainer',
      'evaluator',
    ]);
    for (const s of lineage!.stages) {
      expect(s).toMatchObject({
        status: 'succeeded',
        eventId: `${s.stage}-in-run-lineage-1`,
        codeVersion: COMMIT,
        config: recorded.configs[s.stage],
        execution: { status: 'completed', attempt: 1, durationMs: 12 },
      });
    }
    expect(lineage!.stages.find((s) => s.stage === 'transform')!.artifacts).toHaveLength(2);
    expect(lineage!.codeVersions).toEqual([COMMIT]);
    expect(lineage!.artifacts.ancestors.map((a) => a.artifact.kind)).toContain('dataset/snapshot');
  });

  it('names what cannot be traced: unknown code, unrecorded settings, an ancestor never recorded', async () => {
    const recorded = await recordRun(registry(), 'run-lineage-2', {
      codeVersion: 'dev',
      withConfigs: false,
      skipSchemaArtifact: true,
      hex: '8',
    });
    const lineage = await registry().modelLineage(recorded.version);
    const gaps = lineage!.gaps;
    expect(gaps).toContain(`ancestor ${recorded.schema.uri} is not recorded`);
    expect(gaps).toContain('no dataset schema in the bundle’s ancestry');
    for (const stage of ['ingestion', 'validation', 'transform', 'trainer', 'evaluator']) {
      expect(gaps).toContain(`${stage}: its settings were not recorded`);
      expect(gaps).toContainEqual(expect.stringMatching(new RegExp(`^${stage}: ran code version 'dev'`)));
    }
    expect(lineage!.data.snapshot?.sha256).toBe(recorded.snapshot.sha256);
  });

  it('is null for a version the registry does not know', async () => {
    expect(await registry().modelLineage('m-19700101000000-00000000')).toBeNull();
  });
});
