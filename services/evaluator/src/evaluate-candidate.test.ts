import { Test } from '@nestjs/testing';
import { rootEnvelope, type ArtifactRef, type EventByTopic } from '@netsentry/contracts';
import {
  applyPreprocessor,
  asTrainSplit,
  assignSplit,
  BUNDLE_MEDIA_TYPE,
  EVALUATION_REPORT_KIND,
  fitPreprocessor,
  parseEvaluationReport,
  runScoreJob,
  serializeBundle,
  takeRows,
  toySchema,
  toyTask,
  trainRandomForest,
  type LabelledFrame,
  type ScoreJob,
} from '@netsentry/ml';
import { trainedBundle } from '@netsentry/ml/testing';
import { productionAliasName, toArtifactRef } from '@netsentry/registry';
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
import { EvaluateCandidate } from './evaluate-candidate';
import { EVALUATOR_SETTINGS, type EvaluatorSettings } from './evaluator.config';
import { SCORING_POOL, type ScoringPool } from './evaluator.ports';

// The evaluator's use case on toy data through Nest's injector: in-memory stores, scoring in this thread.
// What it must do: accept a good candidate on the floors alone, quarantine a poor one with the failed
// checks as reasons (and end its run), reject one that does not beat production by the margin, quarantine
// a bundle that cannot load as SCORING_ERROR, re-emit its decision on redelivery.

const SETTINGS: EvaluatorSettings = {
  NETSENTRY_EVALUATOR_METRIC: 'f1',
  NETSENTRY_EVALUATOR_MIN_SCORE: 0.8,
  NETSENTRY_EVALUATOR_MAX_GAP: 0.15,
  NETSENTRY_EVALUATOR_MARGIN: 0.02,
  NETSENTRY_EVALUATOR_SAMPLES: 8,
  NETSENTRY_EVALUATOR_WORKERS: undefined,
};

const SCHEMA = toySchema();
const ALL = toyTask(400, 11);
const SIDE = assignSplit({ labels: ALL.labels, testRatio: 0.25, seed: 2, stratified: true });
const split = (want: number): LabelledFrame => {
  const idx = [...SIDE.keys()].filter((i) => SIDE[i] === want);
  return { features: takeRows(ALL.features, idx), labels: Uint8Array.from(idx, (i) => ALL.labels[i]!) };
};
const TRAIN = split(0);
const TEST = split(1);

/** A split as the CSV records ingestion exports (a, b, proto, label; missing cells empty). */
function csv(frame: LabelledFrame): Buffer {
  const [a, b, proto] = frame.features.columns;
  const cell = (c: typeof a, i: number): string => {
    const v = c!.values[i];
    return v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v);
  };
  const lines = ['a,b,proto,label'];
  for (let i = 0; i < frame.features.rows; i++) {
    lines.push(`${cell(a, i)},${cell(b, i)},${cell(proto, i)},${frame.labels[i] ? 'attack' : 'normal'}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** A random forest's bundle on the toy train split; `shuffled`: trained on permuted labels (no signal). */
function bundleBytes(options: { shuffled?: boolean; trees?: number } = {}): Buffer {
  const labels = options.shuffled ? TRAIN.labels.map((_, i, l) => l[(i * 7919) % l.length]!) : TRAIN.labels;
  const preprocessor = fitPreprocessor(asTrainSplit({ features: TRAIN.features, labels }), SCHEMA, {
    imputation: 'median',
    seed: 1,
  });
  const X = applyPreprocessor(preprocessor, TRAIN.features);
  const trees = options.trees ?? 30;
  const model = trainRandomForest(X.X, labels, X.rows, X.cols, { trees, seed: 3 });
  try {
    const bundle = trainedBundle({
      model,
      candidate: 'random-forest',
      params: { trees },
      schema: SCHEMA,
      preprocessor,
      train: TRAIN,
      classLabels: { negative: 'normal', positive: 'attack' },
      runId: 'run-toy',
    });
    return Buffer.from(serializeBundle(bundle), 'utf8');
  } finally {
    model.free();
  }
}
const GOOD = bundleBytes();

/** Scoring in this thread, counted. */
function inThreadPool(): ScoringPool & { scored: number } {
  const pool = {
    scored: 0,
    score: (job: ScoreJob) => {
      pool.scored++;
      return runScoreJob(job);
    },
  };
  return pool;
}

interface World {
  readonly useCase: EvaluateCandidate;
  readonly artifacts: MemoryArtifacts;
  readonly registry: MemoryRegistry;
  readonly pool: ReturnType<typeof inThreadPool>;
  readonly splits: { train: ArtifactRef; test: ArtifactRef };
}

async function world(): Promise<World> {
  const artifacts = new MemoryArtifacts();
  const registry = new MemoryRegistry();
  const splits = {
    train: await artifacts.put({
      runId: 'run-data',
      kind: 'dataset/train',
      body: csv(TRAIN),
      mediaType: 'text/csv',
      rowCount: TRAIN.features.rows,
    }),
    test: await artifacts.put({
      runId: 'run-data',
      kind: 'dataset/test',
      body: csv(TEST),
      mediaType: 'text/csv',
      rowCount: TEST.features.rows,
    }),
  };
  const records = {
    requireSchema: async (sha256: string) => {
      if (sha256 !== SCHEMA.sha256) throw new Error(`unknown schema ${sha256}`);
      return SCHEMA;
    },
  };
  const pool = inThreadPool();
  const module = await Test.createTestingModule({
    providers: [
      EvaluateCandidate,
      { provide: RECORD_STORE, useValue: records },
      { provide: ARTIFACT_STORE, useValue: artifacts },
      { provide: REGISTRY, useValue: registry },
      { provide: SCORING_POOL, useValue: pool },
      { provide: EVALUATOR_SETTINGS, useValue: SETTINGS },
    ],
  }).compile();
  return { useCase: module.get(EvaluateCandidate), artifacts, registry, pool, splits };
}

/** A trained model of a run of its own (bundle written and registered, run open) and its model.trained. */
async function trained(w: World, bytes: Buffer): Promise<EventByTopic['model.trained']> {
  const envelope = rootEnvelope('model.trained', { producer: { service: 'trainer', version: 'test' } });
  const runId = `run-${envelope.eventId}`;
  envelope.runId = runId;
  const trigger = { commandId: null, reason: 'test' };
  await w.registry.runs.openRun({ runId, correlationId: envelope.correlationId, trigger, dataset: 'toy' });
  const bundle = await w.artifacts.put({
    runId,
    kind: 'model/bundle',
    body: bytes,
    mediaType: BUNDLE_MEDIA_TYPE,
  });
  const model = await w.registry.models.register({
    runId,
    dataset: 'toy',
    bundle,
    candidate: 'random-forest',
    params: { trees: 30 },
    cvMetrics: { f1: 0.9 },
  });
  const placeholder = { ...w.splits.train };
  return {
    envelope,
    dataset: {
      datasetName: 'toy',
      schema: { name: 'toy.yaml', sha256: SCHEMA.sha256 },
      snapshot: placeholder,
      train: w.splits.train,
      test: w.splits.test,
    },
    bundle,
    modelVersion: model.version,
    candidate: 'random-forest',
    engine: 'random-forest@test',
    params: { trees: '30' },
    metric: 'f1',
    cvMean: 0.9,
    cvStd: 0.01,
    folds: 3,
    trials: 1,
    leaderboard: [{ candidate: 'random-forest', cvMean: 0.9, cvStd: 0.01, trainSeconds: 1 }],
  };
}

const context = (event: EventByTopic['model.trained']) => ({
  envelope: event.envelope,
  logger: silentLogger,
});

function output(result: StageResult): StageOutput {
  expect(result).toBeTruthy();
  expect(Array.isArray(result)).toBe(false);
  return result as StageOutput;
}

describe('EvaluateCandidate', () => {
  it('accepts a good candidate on the floors alone when its dataset has no production model', async () => {
    const w = await world();
    const event = await trained(w, GOOD);
    const out = output(await w.useCase.execute(event, context(event)));
    expect(out.topic).toBe('model.accepted');
    const accepted = out.event as EventByTopic['model.accepted'];
    expect(accepted).toMatchObject({
      modelVersion: event.modelVersion,
      verdict: 'FLOORS_ONLY',
      comparison: null,
    });
    expect(accepted.metrics.f1).toBeGreaterThanOrEqual(SETTINGS.NETSENTRY_EVALUATOR_MIN_SCORE);
    expect(accepted.metrics.rows).toBe(TEST.features.rows);
    expect(accepted.reasons.join('; ')).toMatch(/no production model for dataset 'toy'/);

    const model = (await w.registry.models.get(event.modelVersion!))!;
    expect(model.status).toBe('accepted');
    expect(model.reasons).toEqual(accepted.reasons);
    expect(model.testMetrics?.f1).toBe(accepted.metrics.f1);
    // The report is written and recorded with its lineage; the run goes on.
    const record = (await w.registry.artifacts.latestOfKind(event.envelope.runId!, EVALUATION_REPORT_KIND))!;
    expect(record.parents).toEqual([event.bundle.uri, event.dataset.test.uri]);
    const report = parseEvaluationReport(await w.artifacts.getBuffer(toArtifactRef(record)));
    expect(report).toMatchObject({
      accepted: true,
      verdict: 'FLOORS_ONLY',
      modelVersion: event.modelVersion,
    });
    expect(report.samples.scores).toHaveLength(SETTINGS.NETSENTRY_EVALUATOR_SAMPLES);
    const run = (await w.registry.runs.get(event.envelope.runId!))!;
    expect(run.stages.evaluator!.status).toBe('succeeded');
    expect(run.status).toBe('running');
  });

  it('quarantines a candidate below the floor with the failed check as its reason, and ends the run', async () => {
    const w = await world();
    const event = await trained(w, bundleBytes({ shuffled: true }));
    const out = output(await w.useCase.execute(event, context(event)));
    expect(out.topic).toBe('model.quarantined');
    const quarantined = out.event as EventByTopic['model.quarantined'];
    expect(quarantined.failedChecks).toContain('METRIC_FLOOR');
    expect(quarantined.reasons.join('; ')).toMatch(/f1 0\.\d{3} < required 0\.800/);
    const model = (await w.registry.models.get(event.modelVersion!))!;
    expect(model.status).toBe('quarantined');
    expect(model.reasons).toEqual(quarantined.reasons);
    const run = (await w.registry.runs.get(event.envelope.runId!))!;
    expect(run.status).toBe('quarantined');
    expect(run.reason).toContain(`model ${event.modelVersion} rejected`);
    expect(run.stages.evaluator!.detail).toMatch(/^REJECTED: /);
  });

  it('rejects a candidate that does not beat the production model of its dataset by the margin', async () => {
    const w = await world();
    const production = await trained(w, GOOD);
    await w.registry.aliases.move(productionAliasName('toy'), production.modelVersion!, {
      expectedRevision: 0,
      reason: 'test',
      actor: 'test',
      action: 'PUSH',
      eventId: 'test-push',
    });
    const event = await trained(w, bundleBytes({ trees: 31 }));
    const out = output(await w.useCase.execute(event, context(event)));
    expect(out.topic).toBe('model.quarantined');
    const quarantined = out.event as EventByTopic['model.quarantined'];
    expect(quarantined.comparison?.productionVersion).toBe(production.modelVersion);
    expect(quarantined.failedChecks).toEqual(['PRODUCTION_MARGIN']);
    expect(quarantined.reasons.join('; ')).toMatch(
      new RegExp(`does not beat production ${production.modelVersion} .* by the margin 0\\.020`),
    );
  });

  it('quarantines a bundle that cannot be loaded as SCORING_ERROR', async () => {
    const w = await world();
    const event = await trained(w, Buffer.from('{"format":"netsentry/model-bundle@1"}\n', 'utf8'));
    const out = output(await w.useCase.execute(event, context(event)));
    expect(out.topic).toBe('model.quarantined');
    const quarantined = out.event as EventByTopic['model.quarantined'];
    expect(quarantined.failedChecks).toEqual(['SCORING_ERROR']);
    expect(quarantined.reasons[0]).toMatch(/^candidate bundle could not be loaded: /);
    expect((await w.registry.models.get(event.modelVersion!))!.status).toBe('quarantined');
    expect((await w.registry.runs.get(event.envelope.runId!))!.status).toBe('quarantined');
  });

  it('re-emits its stored decision on redelivery, deciding nothing twice', async () => {
    const w = await world();
    const event = await trained(w, GOOD);
    const first = output(await w.useCase.execute(event, context(event)));
    const transitions = (await w.registry.models.transitions(event.modelVersion!)).length;
    const scored = w.pool.scored;
    const again = output(await w.useCase.execute(event, context(event)));
    expect(again).toEqual(first);
    // Read back from the stored report: nothing scored, written or moved again.
    expect(w.pool.scored).toBe(scored);
    expect(await w.registry.models.transitions(event.modelVersion!)).toHaveLength(transitions);
    expect(w.artifacts.ofKind(EVALUATION_REPORT_KIND)).toHaveLength(1);
  });

  it('refuses an event whose bundle is not the registered model’s', async () => {
    const w = await world();
    const event = await trained(w, GOOD);
    const other = { ...event, bundle: { ...event.bundle, sha256: 'f'.repeat(64) } };
    await expect(w.useCase.execute(other, context(other))).rejects.toThrow(NonRetryableError);
    expect((await w.registry.models.get(event.modelVersion!))!.status).toBe('trained');
  });
});
