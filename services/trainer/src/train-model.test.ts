import { Test } from '@nestjs/testing';
import { rootEnvelope, type ArtifactRef, type EventByTopic } from '@netsentry/contracts';
import {
  assignSplit,
  encodeMatrix,
  MATRIX_MEDIA_TYPE,
  parseBundle,
  profileFrame,
  runResampleJob,
  runTrainJob,
  serializePreprocessor,
  takeRows,
  toySchema,
  toyTask,
  transformDataset,
  type LabelledFrame,
  type ResampleJob,
  type TrainJob,
} from '@netsentry/ml';
import { Metrics } from '@netsentry/observability';
import { ARTIFACT_KINDS } from '@netsentry/registry';
import {
  ARTIFACT_STORE,
  NonRetryableError,
  RECORD_STORE,
  REGISTRY,
  silentLogger,
  type StageOutput,
  type StageResult,
} from '@netsentry/runtime';
import { MemoryArtifacts, MemoryRegistry } from '@netsentry/testkit';
import { describe, expect, it } from 'vitest';
import { parseCandidatesConfig } from './candidates';
import type { SearchConfig } from './search';
import { BUNDLE_KIND, TrainModel } from './train-model';
import { SEARCH_CONFIG, TRAINING_POOL, type TrainingPool } from './trainer.ports';

// The trainer's use case on toy data through Nest's injector: in-memory stores, the search's jobs in this
// thread. What it must do: record every trial, refit and register the best, emit model.trained with it;
// resample inside each fold when transform resampled; re-emit on redelivery; refuse inconsistent inputs.

const SEARCH = parseCandidatesConfig(`
metric: f1
folds: 3
seed: 7
trialsPerCandidate: 2
candidates:
  - name: xgboost
    search:
      rounds: { int: [5, 15] }
      maxDepth: { int: [2, 4] }
  - name: random-forest
    search:
      trees: { int: [5, 10] }
`);
const TRIALS = 4;

/** The pool's jobs in this thread, counted. */
function inThreadPool(): TrainingPool & { trained: number; resampled: number } {
  const pool = {
    size: 1,
    trained: 0,
    resampled: 0,
    run: (job: TrainJob) => {
      pool.trained++;
      return runTrainJob(job);
    },
    resample: (job: ResampleJob) => {
      pool.resampled++;
      return Promise.resolve(runResampleJob(job));
    },
  };
  return pool;
}

const split = (frame: LabelledFrame, side: Uint8Array, want: number): LabelledFrame => {
  const idx = [...side.keys()].filter((i) => side[i] === want);
  return { features: takeRows(frame.features, idx), labels: Uint8Array.from(idx, (i) => frame.labels[i]!) };
};

interface World {
  readonly useCase: TrainModel;
  readonly artifacts: MemoryArtifacts;
  readonly registry: MemoryRegistry;
  readonly pool: ReturnType<typeof inThreadPool>;
  readonly event: EventByTopic['data.transformed'];
  readonly runId: string;
  readonly refs: Record<'train' | 'unbalanced' | 'preprocessor' | 'profile', ArtifactRef>;
}

/**
 * Transform's outputs for a toy task in the memory stores (with the run's reference profile unless told
 * otherwise), a data.transformed naming them, and the use case from a testing module on those stores.
 */
async function world(
  options: { inFold?: boolean; profile?: boolean; metrics?: Metrics; search?: SearchConfig } = {},
): Promise<World> {
  const { inFold = true, profile = true } = options;
  const schema = toySchema();
  const all = toyTask(300, 5);
  const side = assignSplit({ labels: all.labels, testRatio: 0.2, seed: 1, stratified: true });
  const train = split(all, side, 0);
  const transformed = transformDataset(schema, train, split(all, side, 1), {
    imputation: 'median',
    knnK: 3,
    resampling: inFold ? 'smote-tomek' : 'none',
    smoteK: 5,
    seed: 1,
  });
  const envelope = rootEnvelope('data.transformed', { producer: { service: 'transform', version: 'test' } });
  const runId = `run-${envelope.eventId}`;
  envelope.runId = runId;
  const artifacts = new MemoryArtifacts();
  const registry = new MemoryRegistry();
  const trigger = { commandId: null, reason: 'test' };
  await registry.runs.openRun({ runId, correlationId: envelope.correlationId, trigger, dataset: 'toy' });
  const matrix = (kind: string, m: Parameters<typeof encodeMatrix>[0]) =>
    artifacts.put({ runId, kind, body: encodeMatrix(m), mediaType: MATRIX_MEDIA_TYPE, rowCount: m.rows });
  const refs = {
    train: await matrix('dataset/train-transformed', transformed.train),
    unbalanced: await matrix('dataset/train-unbalanced', transformed.unbalancedTrain ?? transformed.train),
    preprocessor: await artifacts.put({
      runId,
      kind: 'model/preprocessor',
      body: Buffer.from(serializePreprocessor(transformed.preprocessor), 'utf8'),
      mediaType: 'application/json',
    }),
    profile: await artifacts.putJson({
      runId,
      kind: ARTIFACT_KINDS.referenceProfile,
      value: profileFrame(train.features, schema),
    }),
  };
  if (profile) {
    await registry.artifacts.record({
      ref: refs.profile,
      kind: ARTIFACT_KINDS.referenceProfile,
      runId,
      parents: [],
      producedBy: { stage: 'validation', eventId: 'e-validation' },
    });
  }
  const placeholder = { ...refs.train, mediaType: 'text/csv' };
  const event: EventByTopic['data.transformed'] = {
    envelope,
    dataset: {
      datasetName: 'toy',
      schema: { name: 'toy.yaml', sha256: schema.sha256 },
      snapshot: placeholder,
      train: placeholder,
      test: placeholder,
    },
    preprocessor: refs.preprocessor,
    train: refs.train,
    test: refs.train,
    featureCount: transformed.train.cols,
    resampling: inFold ? 'SMOTE_TOMEK' : 'NONE',
    classCountsBefore: transformed.classCountsBefore,
    classCountsAfter: transformed.classCountsAfter,
    unbalancedTrain: inFold ? refs.unbalanced : null,
    resamplingSettings: inFold ? { k: 5, seed: 1 } : null,
  };
  const pool = inThreadPool();
  const records = {
    requireSchema: async (sha256: string) => {
      if (sha256 !== schema.sha256) throw new Error(`unknown schema ${sha256}`);
      return schema;
    },
  };
  const module = await Test.createTestingModule({
    providers: [
      TrainModel,
      { provide: RECORD_STORE, useValue: records },
      { provide: ARTIFACT_STORE, useValue: artifacts },
      { provide: REGISTRY, useValue: registry },
      { provide: TRAINING_POOL, useValue: pool },
      { provide: SEARCH_CONFIG, useValue: options.search ?? SEARCH },
      ...(options.metrics ? [{ provide: Metrics, useValue: options.metrics }] : []),
    ],
  }).compile();
  return { useCase: module.get(TrainModel), artifacts, registry, pool, event, runId, refs };
}

const context = (event: EventByTopic['data.transformed']) => ({
  envelope: event.envelope,
  logger: silentLogger,
  signal: new AbortController().signal,
});

function trainedEvent(result: StageResult): EventByTopic['model.trained'] {
  const output = result as StageOutput;
  expect(output.topic).toBe('model.trained');
  return output.event as EventByTopic['model.trained'];
}

describe('TrainModel', () => {
  it('records every trial, registers the best candidate refitted, and emits model.trained with it', async () => {
    const w = await world();
    const out = trainedEvent(await w.useCase.execute(w.event, context(w.event)));

    const trials = w.registry.trials.rows;
    expect(trials).toHaveLength(TRIALS);
    expect(trials.every((t) => t.runId === w.runId && t.cvScores.length === 3)).toBe(true);
    expect(new Set(trials.map((t) => t.candidate))).toEqual(new Set(['xgboost', 'random-forest']));
    // The chosen candidate is one with the best mean CV score of all the trials recorded.
    const bestMean = Math.max(...trials.map((t) => t.meanScore));
    expect(out.cvMean).toBe(bestMean);
    expect(trials.filter((t) => t.meanScore === bestMean).map((t) => t.candidate)).toContain(out.candidate);
    expect(out.leaderboard[0]!.candidate).toBe(out.candidate);
    expect(out).toMatchObject({ metric: 'f1', folds: 3, trials: TRIALS, dataset: w.event.dataset });

    // The model is registered with that bundle, and the bundle is the chosen candidate's.
    const [model] = await w.registry.models.list({ runId: w.runId });
    expect(model).toMatchObject({ version: out.modelVersion, status: 'trained', candidate: out.candidate });
    expect(model!.bundle).toEqual(out.bundle);
    const bundle = parseBundle(await w.artifacts.getBuffer(out.bundle));
    expect(bundle.candidate).toBe(out.candidate);
    expect(bundle.training).toMatchObject({ runId: w.runId, trials: TRIALS, cvMean: out.cvMean });
    expect(w.artifacts.ofKind(BUNDLE_KIND)).toEqual([out.bundle]);
    // Its lineage names what it was made from; the run records the trainer's outcome.
    const record = (await w.registry.artifacts.get(out.bundle.uri))!;
    expect(record.parents).toEqual([
      w.refs.train.uri,
      w.refs.unbalanced.uri,
      w.refs.preprocessor.uri,
      w.refs.profile.uri,
    ]);
    const stage = (await w.registry.runs.get(w.runId))!.stages.trainer!;
    expect(stage.status).toBe('succeeded');
    expect(stage.detail).toContain(`model ${out.modelVersion}`);
    expect(stage.detail).toContain('in-fold SMOTE-Tomek');
    // In-fold resampling: each fold's training part once, for all the trials.
    expect(w.pool.resampled).toBe(3);
  });

  it('without an unbalanced matrix, cross-validates on train as it is (nothing resampled)', async () => {
    const w = await world({ inFold: false });
    const out = trainedEvent(await w.useCase.execute(w.event, context(w.event)));
    expect(w.pool.resampled).toBe(0);
    expect(w.registry.trials.rows).toHaveLength(TRIALS);
    expect((await w.registry.runs.get(w.runId))!.stages.trainer!.detail).toContain(
      'folds of train (not resampled)',
    );
    expect(out.trials).toBe(TRIALS);
  });

  it('under the row cap, searches on a stratified sample and refits the chosen configuration on every row', async () => {
    const w = await world({ inFold: false, search: { ...SEARCH, maxSearchRows: 120 } });
    const jobs: TrainJob[] = [];
    const run = w.pool.run;
    w.pool.run = (job) => {
      jobs.push(job);
      return run(job);
    };
    await w.useCase.execute(w.event, context(w.event));
    const rows = (job: TrainJob) => job.rows + (job.evaluate?.rows ?? 0);
    const trainRows = jobs.at(-1)!.rows;
    // Every CV job splits the ~120-row sample; the last job, the refit, trains on all of train.
    const cv = jobs.filter((j) => j.evaluate);
    expect(cv).toHaveLength(TRIALS * 3);
    expect(cv.every((j) => rows(j) >= 119 && rows(j) <= 121)).toBe(true);
    expect(jobs.at(-1)!.evaluate).toBeUndefined();
    expect(trainRows).toBeGreaterThan(121);
    expect((await w.registry.runs.get(w.runId))!.stages.trainer!.detail).toMatch(
      new RegExp(`search on a stratified sample of 1(19|20|21) of ${trainRows} rows`),
    );
  });

  it('on redelivery after registration re-emits the same model.trained and trains nothing', async () => {
    const w = await world({ inFold: false });
    const first = trainedEvent(await w.useCase.execute(w.event, context(w.event)));
    const jobs = w.pool.trained;
    const again = trainedEvent(await w.useCase.execute(w.event, context(w.event)));
    expect(again).toEqual(first);
    expect(w.pool.trained).toBe(jobs);
    expect(w.registry.trials.rows).toHaveLength(TRIALS);
    expect(await w.registry.models.list({ runId: w.runId })).toHaveLength(1);
  });

  it('refuses an unbalanced matrix without the resampling settings, training nothing', async () => {
    const w = await world();
    const event = { ...w.event, resamplingSettings: null };
    await expect(w.useCase.execute(event, context(event))).rejects.toThrow(NonRetryableError);
    await expect(w.useCase.execute(event, context(event))).rejects.toThrow(/no resamplingSettings/);
    expect(w.pool.trained).toBe(0);
    expect(await w.registry.models.list({ runId: w.runId })).toEqual([]);
  });

  it("refuses a run without validation's reference profile", async () => {
    const w = await world({ profile: false });
    await expect(w.useCase.execute(w.event, context(w.event))).rejects.toThrow(
      new RegExp(`run ${w.runId} has no ${ARTIFACT_KINDS.referenceProfile} artifact`),
    );
    expect(w.registry.trials.rows).toEqual([]);
  });

  it("refuses a train matrix whose columns are not the preprocessor's outputs", async () => {
    const w = await world();
    const narrow = await w.artifacts.put({
      runId: w.runId,
      kind: 'dataset/train-transformed',
      body: encodeMatrix({
        X: new Float64Array([0, 1]),
        y: new Uint8Array([0, 1]),
        rows: 2,
        cols: 1,
        featureNames: ['x'],
      }),
      mediaType: MATRIX_MEDIA_TYPE,
      rowCount: 2,
    });
    const event = { ...w.event, train: narrow };
    await expect(w.useCase.execute(event, context(event))).rejects.toThrow(
      /train matrix's columns differ from the preprocessor's outputs/,
    );
    expect(w.pool.trained).toBe(0);
  });

  it('reports the search and each rung of each candidate in netsentry_stage_progress_*, done at the end', async () => {
    const metrics = new Metrics({ service: 'trainer', defaultMetrics: false });
    const w = await world({ inFold: false, metrics });
    await w.useCase.execute(w.event, context(w.event));
    const text = await metrics.registry.metrics();
    const ratio = (phase: string): number | undefined => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith('netsentry_stage_progress_ratio{') && l.includes(`phase="${phase}"`));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    };
    expect(text).toMatch(/netsentry_stage_progress_ratio\{[^}]*stage="trainer"/);
    expect(ratio('search')).toBe(1);
    // No halving here: one rung per candidate, all of its trials.
    expect(ratio('search/xgboost/rung-1-of-1')).toBe(1);
    expect(ratio('search/random-forest/rung-1-of-1')).toBe(1);
    expect(text).toMatch(/netsentry_trainer_trials_total\{[^}]*candidate="xgboost"[^}]*\} 2/);
  });
});
