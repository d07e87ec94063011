import type { INestApplication } from '@nestjs/common';
import { rootEnvelope, signAdminCommand, type ArtifactRef, type EventByTopic } from '@netsentry/contracts';
import { loadDatasetSchema } from '@netsentry/dataset';
import {
  applyPreprocessor,
  asTrainSplit,
  assignSplit,
  binaryMetrics,
  BUNDLE_MEDIA_TYPE,
  EVALUATION_REPORT_FORMAT,
  EVALUATION_REPORT_KIND,
  fitPreprocessor,
  frameToJson,
  openBundle,
  readLabelledFrame,
  serializeBundle,
  takeRows,
  trainRandomForest,
  type EvaluationReport,
  type LabelledFrame,
  type ModelBundle,
} from '@netsentry/ml';
import { trainedBundle } from '@netsentry/ml/testing';
import { Metrics } from '@netsentry/observability';
import type { Stores } from '@netsentry/runtime';
import { repoRoot, StageHarness, type TopicCollector } from '@netsentry/testkit';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carryOverLegacyProduction } from '../src/legacy-production';
import { ModelDatasets } from '../src/model-datasets';

// The pusher against the real servers. Small random forests are trained here on phishing (a second each),
// bundled, put in S3 and registered as accepted with an evaluation report of 64 sample records scored
// through the bundle, as the evaluator would; then model.accepted and operator commands are published and
// the real pusher consumer answers. One lifecycle, in order: push, push, rollback, promote, refusals; then a
// second dataset with its own production model, rollback and promotion beside the first.

const harness = new StageHarness('pusher', { env: { NETSENTRY_PUSHER_VERIFY_TIMEOUT: '30s' } });
const { env } = harness;
const SAMPLES = 64;

let app: INestApplication | undefined;
let stores: Stores;
let outputs: TopicCollector;
let data: Awaited<ReturnType<typeof phishing>>;

beforeAll(async () => {
  stores = await harness.open();
  data = await phishing();
  app = (await harness.startStages(['pusher']))[0];
  outputs = await harness.collect(['model.pushed', 'model.quarantined', 'pipeline.dlq']);
}, 120_000);

afterAll(() => harness.close());

/** Phishing split 80/20, the preprocessor fitted on train, and 64 raw test records spread over the split. */
async function phishing() {
  const schema = await loadDatasetSchema(join(repoRoot, 'data/schemas/phishing.yaml'));
  const all = await readLabelledFrame(schema, createReadStream(join(repoRoot, 'data/phishing.csv')));
  const side = assignSplit({ labels: all.labels, testRatio: 0.2, seed: 42, stratified: true });
  const part = (want: number): LabelledFrame => {
    const idx = [...side.keys()].filter((i) => side[i] === want);
    return { features: takeRows(all.features, idx), labels: Uint8Array.from(idx, (i) => all.labels[i]!) };
  };
  const train = part(0);
  const test = part(1);
  const preprocessor = fitPreprocessor(asTrainSplit(train), schema, { imputation: 'median' });
  const matrix = applyPreprocessor(preprocessor, train.features);
  const picked = Array.from({ length: SAMPLES }, (_, i) => Math.floor((i * test.features.rows) / SAMPLES));
  return {
    schema,
    train,
    test,
    preprocessor,
    matrix,
    samples: takeRows(test.features, picked),
  };
}

interface Candidate {
  version: string;
  runId: string;
  bundle: ArtifactRef;
  bytes: Buffer;
  accepted: EventByTopic['model.accepted'];
}

/**
 * A model as the evaluator leaves it: bundle in S3, registered, accepted (or quarantined), its run's
 * evaluation report with sample scores, and the model.accepted event. `tamper` shifts three sample scores
 * of the report by 0.41; `corrupt` truncates the model bytes inside an otherwise valid bundle.
 */
async function candidate(
  name: string,
  seed: number,
  options: {
    tamper?: boolean;
    corrupt?: boolean;
    quarantined?: boolean;
    /** The production version the evaluator saw (null: none); omitted: a report without the field. */
    evaluatedAgainst?: string | null;
    /**
     * The dataset named in the bundle and registered with the model. Omitted: phishing, named in the bundle
     * only (as models registered before the registry kept the dataset).
     */
    dataset?: string;
    /** Name `dataset` in the bundle only, not in the registry (a model registered by an earlier release). */
    bundleOnly?: boolean;
  } = {},
): Promise<Candidate> {
  const { schema, train, test, preprocessor, matrix, samples } = data;
  const datasetName = options.dataset ?? 'phishing';
  const runId = `run-${name}-${randomUUID().slice(0, 8)}`;
  const version = `m-it-${name}`;
  const r = stores.registry;
  await r.runs.openRun({
    runId,
    correlationId: runId,
    trigger: { commandId: null, reason: 'pusher integration test' },
    dataset: datasetName,
  });
  const forest = trainRandomForest(matrix.X, train.labels, matrix.rows, matrix.cols, { trees: 15, seed });
  const bundle = trainedBundle({
    model: forest,
    candidate: 'random-forest',
    params: { trees: 15, seed },
    schema,
    preprocessor,
    train,
    dataset: datasetName,
    cv: { mean: 0.95, std: 0.01 },
    runId,
    trainedAt: new Date().toISOString(),
  });
  const opened = await openBundle(bundle);
  const testScores = opened.scoreFrame(test.features);
  const trainScores = opened.scoreFrame(train.features);
  const sampleScores = Array.from(opened.scoreFrame(samples));
  opened.free();
  if (options.tamper) for (let i = 0; i < 3; i++) sampleScores[i] = sampleScores[i]! + 0.41;

  const stored: ModelBundle = options.corrupt ? truncatedModel(bundle) : bundle;
  const bytes = Buffer.from(serializeBundle(stored), 'utf8');
  const bundleRef = await stores.artifacts.put({
    runId,
    kind: 'model/bundle',
    body: bytes,
    mediaType: BUNDLE_MEDIA_TYPE,
  });
  const producedBy = { stage: 'test', eventId: randomUUID() };
  await r.artifacts.record({ ref: bundleRef, kind: 'model/bundle', runId, parents: [], producedBy });
  await r.models.register({
    version,
    runId,
    ...(options.dataset === undefined || options.bundleOnly ? {} : { dataset: options.dataset }),
    bundle: bundleRef,
    candidate: 'random-forest',
    params: { trees: 15, seed },
    cvMetrics: { f1: 0.95 },
  });
  const testMetrics = binaryMetrics(test.labels, testScores);
  const trainMetrics = binaryMetrics(train.labels, trainScores);
  const reasons = [`f1 ${testMetrics.f1.toFixed(3)} >= required 0.900`];
  if (options.quarantined) {
    await r.models.transition(version, ['trained'], 'quarantined', {
      reasons: ['f1 0.412 < required 0.900'],
    });
  } else {
    await r.models.transition(version, ['trained'], 'accepted', { reasons });
  }
  const report: EvaluationReport = {
    format: EVALUATION_REPORT_FORMAT,
    runId,
    modelVersion: version,
    bundle: { uri: bundleRef.uri, sha256: bundleRef.sha256 },
    testSet: { uri: 's3://placeholder/test.csv', sha256: '0'.repeat(64), rows: test.features.rows },
    policy: { metric: 'f1', minimum: 0.9, maxTrainTestGap: 0.05, margin: 0.02 },
    candidate: { test: testMetrics, train: trainMetrics },
    production: null,
    ...(options.evaluatedAgainst === undefined ? {} : { productionAtEvaluation: options.evaluatedAgainst }),
    accepted: true,
    verdict: 'FLOORS_ONLY',
    reasons,
    failed: [],
    failedChecks: [],
    samples: { records: frameToJson(samples), scores: sampleScores },
    evaluatedAt: new Date().toISOString(),
  };
  const reportRef = await stores.artifacts.putJson({ runId, kind: EVALUATION_REPORT_KIND, value: report });
  await r.artifacts.record({ ref: reportRef, kind: EVALUATION_REPORT_KIND, runId, parents: [], producedBy });

  const envelope = rootEnvelope('model.accepted', {
    producer: { service: 'evaluator', version: 'test' },
    runId,
  });
  const accepted: EventByTopic['model.accepted'] = {
    envelope,
    modelVersion: version,
    bundle: bundleRef,
    metric: 'f1',
    metrics: { f1: testMetrics.f1 },
    trainMetrics: { f1: trainMetrics.f1 },
    comparison: null,
    verdict: 'FLOORS_ONLY',
    reasons,
  };
  return { version, runId, bundle: bundleRef, bytes, accepted };
}

/** The same bundle with its model bytes cut short (and their sha256 updated, so the bundle still parses). */
function truncatedModel(bundle: ModelBundle): ModelBundle {
  const bytes = Buffer.from(bundle.model.data, 'base64');
  const cut = bytes.subarray(0, bytes.length - 8);
  return {
    ...bundle,
    model: {
      encoding: 'base64',
      sha256: createHash('sha256').update(cut).digest('hex'),
      data: cut.toString('base64'),
    },
  };
}

async function publish<T extends 'model.accepted' | 'admin.commands'>(t: T, event: EventByTopic[T]) {
  return harness.publish(t, event, { key: event.envelope.runId ?? event.envelope.eventId });
}

function command(
  kind: 'ROLLBACK' | 'PROMOTE',
  targetModelVersion: string | null,
  reason: string,
  datasetName: string | null = null,
): EventByTopic['admin.commands'] {
  const envelope = rootEnvelope('admin.commands', { producer: { service: 'cli', version: 'test' } });
  const body = { envelope, command: kind, reason, requestedBy: 'alice', targetModelVersion, datasetName };
  return signAdminCommand(body, env.NETSENTRY_ADMIN_SECRET!);
}

/** Waits until the pusher has finished with an event (completed or dead-lettered) in its ledger. */
async function handled(eventId: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const execution = await stores.registry.executions.get('pusher', eventId);
    if (execution && execution.status !== 'claimed') return execution.status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pusher did not finish ${eventId}`);
}

async function until(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const metricsText = () => app!.get(Metrics).registry.metrics();
const status = async (version: string) => (await stores.registry.models.get(version))!.status;
const PHISHING = 'production-phishing';
const OTHER = 'production-phishing-b';
const production = () => stores.registry.aliases.get(PHISHING);
const otherProduction = () => stores.registry.aliases.get(OTHER);

describe('model.accepted / ROLLBACK / PROMOTE → pusher → model.pushed', () => {
  let v1: Candidate;
  let v2: Candidate;

  it('first push: verified in isolation, copied to production byte for byte, alias at v1', async () => {
    v1 = await candidate('v1', 1);
    const started = Date.now();
    const bytes = await publish('model.accepted', v1.accepted);
    // The same bytes again (a producer retry): one alias move, one model.pushed.
    await harness.publishBytes('model.accepted', bytes, v1.runId);
    const pushed = await outputs.first('model.pushed', v1.accepted.envelope.eventId);
    const seconds = (Date.now() - started) / 1000;

    expect(pushed).toMatchObject({
      action: 'PUSH',
      alias: PHISHING,
      dataset: 'phishing',
      modelVersion: v1.version,
      previousVersion: null,
      verifiedSamples: SAMPLES,
    });
    expect(pushed.reason).toMatch(/^FLOORS_ONLY: f1 0\.9\d\d >= required 0\.900$/);
    expect(pushed.envelope.runId).toBe(v1.runId);
    expect(pushed.bundle.uri).toBe(`s3://${env.NETSENTRY_S3_BUCKET}/production/${v1.version}/bundle.json`);
    expect(pushed.bundle.sha256).toBe(v1.bundle.sha256);
    expect((await stores.artifacts.getBuffer(pushed.bundle)).equals(v1.bytes)).toBe(true);
    const lineage = await stores.registry.artifacts.lineage(pushed.bundle.uri);
    expect(lineage.root?.kind).toBe('model/production-bundle');
    expect(lineage.ancestors.map((a) => a.artifact.uri)).toEqual([v1.bundle.uri]);

    expect(await production()).toMatchObject({
      version: v1.version,
      revision: 1,
      action: 'PUSH',
      actor: 'pusher',
    });
    expect(await status(v1.version)).toBe('pushed');
    const run = await stores.registry.runs.get(v1.runId);
    expect(run?.status).toBe('succeeded');
    expect(run?.stages.pusher?.detail).toMatch(/production \(none\) → m-it-v1; 64 sample scores verified/);

    // The second copy is consumed, recognised by the ledger and skipped.
    await until(async () =>
      /netsentry_events_deduplicated_total\{[^}]*model\.accepted[^}]*\} 1/.test(await metricsText()),
    );
    expect(outputs.causedBy('model.pushed', v1.accepted.envelope.eventId)).toHaveLength(1);
    expect(await stores.registry.aliases.history(PHISHING)).toHaveLength(1);
    console.log(`pusher IT: first push ${seconds.toFixed(1)} s publish → model.pushed`);
  });

  it('second model: alias at v2, v1 retired', async () => {
    v2 = await candidate('v2', 2);
    await publish('model.accepted', v2.accepted);
    const pushed = await outputs.first('model.pushed', v2.accepted.envelope.eventId);
    expect(pushed).toMatchObject({ action: 'PUSH', modelVersion: v2.version, previousVersion: v1.version });
    expect(await production()).toMatchObject({ version: v2.version, revision: 2 });
    expect(await status(v2.version)).toBe('pushed');
    expect(await status(v1.version)).toBe('retired');
  });

  it('the same version under a new event id: no second move, the same model.pushed again', async () => {
    const again = { ...v2.accepted, envelope: { ...v2.accepted.envelope, eventId: randomUUID() } };
    await publish('model.accepted', again);
    const pushed = await outputs.first('model.pushed', again.envelope.eventId);
    const first = outputs.causedBy('model.pushed', v2.accepted.envelope.eventId)[0]!;
    expect({ ...pushed, envelope: null }).toEqual({ ...first, envelope: null });
    expect(await production()).toMatchObject({ version: v2.version, revision: 2 });
    expect(await stores.registry.aliases.history(PHISHING)).toHaveLength(2);
  });

  it('ROLLBACK without a version goes back to the previous production version', async () => {
    const rollback = command('ROLLBACK', null, 'v2 flags too many benign sites');
    await publish('admin.commands', rollback);
    const pushed = await outputs.first('model.pushed', rollback.envelope.eventId);
    expect(pushed).toMatchObject({
      action: 'ROLLBACK',
      modelVersion: v1.version,
      previousVersion: v2.version,
      reason: 'v2 flags too many benign sites',
      verifiedSamples: SAMPLES,
    });
    expect(pushed.bundle.uri).toMatch(/\/production\/m-it-v1\/bundle\.json$/);
    const [latest, ...earlier] = await stores.registry.aliases.history(PHISHING);
    expect(latest).toMatchObject({
      version: v1.version,
      previousVersion: v2.version,
      action: 'ROLLBACK',
      actor: 'alice',
      reason: 'v2 flags too many benign sites',
      eventId: rollback.envelope.eventId,
      revision: 3,
    });
    expect(earlier.map((e) => e.version)).toEqual([v2.version, v1.version]);
    expect(await status(v1.version)).toBe('pushed');
    expect(await status(v2.version)).toBe('retired');
  });

  it('a model.accepted redelivered after the rollback does not undo it', async () => {
    const late = { ...v2.accepted, envelope: { ...v2.accepted.envelope, eventId: randomUUID() } };
    await publish('model.accepted', late);
    expect(await handled(late.envelope.eventId)).toBe('completed');
    expect(outputs.causedBy('model.pushed', late.envelope.eventId)).toEqual([]);
    expect(await production()).toMatchObject({ version: v1.version, revision: 3 });
  });

  it('PROMOTE names a version and puts it back in production', async () => {
    const promote = command('PROMOTE', v2.version, 'false positives fixed upstream');
    await publish('admin.commands', promote);
    const pushed = await outputs.first('model.pushed', promote.envelope.eventId);
    expect(pushed).toMatchObject({
      action: 'PROMOTE',
      modelVersion: v2.version,
      previousVersion: v1.version,
    });
    expect(await production()).toMatchObject({ version: v2.version, revision: 4, actor: 'alice' });
    expect(await status(v2.version)).toBe('pushed');
    expect(await status(v1.version)).toBe('retired');
  });

  it('PROMOTE of a quarantined version is refused: dead letter with the reason, alias unchanged', async () => {
    const rejected = await candidate('v3', 3, { quarantined: true });
    const promote = command('PROMOTE', rejected.version, 'try it anyway');
    await publish('admin.commands', promote);
    const letter = await outputs.first('pipeline.dlq', promote.envelope.eventId);
    expect(letter.errorCode).toBe('NOT_ACCEPTED');
    expect(letter.attempts).toBe(1);
    expect(letter.reason).toMatch(
      /PROMOTE to m-it-v3 refused: model m-it-v3 is quarantined \(f1 0\.412 < required 0\.900\)/,
    );
    expect(outputs.causedBy('model.pushed', promote.envelope.eventId)).toEqual([]);
    expect(await production()).toMatchObject({ version: v2.version, revision: 4 });
  });

  it('a report whose sample scores were tampered with: not pushed, quarantined with the reason', async () => {
    const tampered = await candidate('v4', 4, { tamper: true });
    await publish('model.accepted', tampered.accepted);
    const quarantined = await outputs.first('model.quarantined', tampered.accepted.envelope.eventId);
    expect(quarantined.failedChecks).toEqual(['SCORING_ERROR']);
    expect(quarantined.reasons).toEqual([
      `pusher: 3 of ${SAMPLES} sample scores differ from the evaluator's (max |Δ| 0.41)`,
    ]);
    expect(quarantined.modelVersion).toBe(tampered.version);
    const model = await stores.registry.models.get(tampered.version);
    expect(model).toMatchObject({ status: 'quarantined', reasons: quarantined.reasons });
    const run = await stores.registry.runs.get(tampered.runId);
    expect(run).toMatchObject({ status: 'quarantined' });
    expect(run?.stages.pusher?.status).toBe('quarantined');
    expect(outputs.causedBy('model.pushed', tampered.accepted.envelope.eventId)).toEqual([]);
    expect(await production()).toMatchObject({ version: v2.version, revision: 4 });
    expect(
      await stores.artifacts.exists(`s3://${env.NETSENTRY_S3_BUCKET}/production/m-it-v4/bundle.json`),
    ).toBe(false);
  });

  it('a bundle whose model bytes are corrupt: not pushed, quarantined', async () => {
    const corrupt = await candidate('v5', 5, { corrupt: true });
    await publish('model.accepted', corrupt.accepted);
    const quarantined = await outputs.first('model.quarantined', corrupt.accepted.envelope.eventId);
    expect(quarantined.failedChecks).toEqual(['SCORING_ERROR']);
    expect(quarantined.reasons[0]).toMatch(/^pusher: the bundle failed to load in isolation: .*payload/);
    expect(await status(corrupt.version)).toBe('quarantined');
    expect(await production()).toMatchObject({ version: v2.version, revision: 4 });
  });

  it('a model evaluated against an earlier production is refused (stale verdict) and stays accepted', async () => {
    // Evaluated while v1 was production; v2 is production now, so its verdict says nothing about v2.
    const stale = await candidate('v6', 6, { evaluatedAgainst: v1.version });
    await publish('model.accepted', stale.accepted);
    const letter = await outputs.first('pipeline.dlq', stale.accepted.envelope.eventId);
    expect(letter.errorCode).toBe('STALE_EVALUATION');
    expect(letter.reason).toBe(
      `PushRefused: push of m-it-v6 refused: it was evaluated against production ${v1.version}, but production is now ` +
        `${v2.version}; the candidate stays accepted — promote it explicitly (netsentry promote m-it-v6) or ` +
        'retrain to compare it with the current model',
    );
    expect(await status(stale.version)).toBe('accepted');
    expect(outputs.causedBy('model.pushed', stale.accepted.envelope.eventId)).toEqual([]);
    expect(await production()).toMatchObject({ version: v2.version, revision: 4 });

    // Evaluated against the production that still serves: pushed as usual.
    const current = await candidate('v7', 7, { evaluatedAgainst: v2.version });
    await publish('model.accepted', current.accepted);
    const pushed = await outputs.first('model.pushed', current.accepted.envelope.eventId);
    expect(pushed).toMatchObject({
      action: 'PUSH',
      modelVersion: current.version,
      previousVersion: v2.version,
    });
  });

  it('counts moves by action, refusals by reason and exposes the production version', async () => {
    const text = await metricsText();
    expect(text).toMatch(/netsentry_pusher_alias_moves_total\{action="PUSH"[^}]*\} 3/);
    expect(text).toMatch(/netsentry_pusher_alias_moves_total\{action="ROLLBACK"[^}]*\} 1/);
    expect(text).toMatch(/netsentry_pusher_alias_moves_total\{action="PROMOTE"[^}]*\} 1/);
    expect(text).toMatch(/netsentry_pusher_refusals_total\{reason="NOT_ACCEPTED"[^}]*\} 1/);
    expect(text).toMatch(/netsentry_pusher_refusals_total\{reason="VERIFICATION_FAILED"[^}]*\} 2/);
    expect(text).toMatch(/netsentry_pusher_refusals_total\{reason="STALE_EVALUATION"[^}]*\} 1/);
    expect(text).toMatch(/netsentry_pusher_production_info\{version="m-it-v7"[^}]*\} 1/);
    expect(text).not.toMatch(/netsentry_pusher_production_info\{version="m-it-v2"/);
  });
  describe('a second dataset', () => {
    let b1: Candidate;
    let b2: Candidate;
    const phishingNow = 'm-it-v7';

    it('gets its own production model; the first dataset keeps its own', async () => {
      const before = await production();
      b1 = await candidate('b1', 11, { dataset: 'phishing-b', evaluatedAgainst: null });
      await publish('model.accepted', b1.accepted);
      const pushed = await outputs.first('model.pushed', b1.accepted.envelope.eventId);
      expect(pushed).toMatchObject({
        action: 'PUSH',
        alias: OTHER,
        dataset: 'phishing-b',
        modelVersion: b1.version,
        previousVersion: null,
      });
      expect(await otherProduction()).toMatchObject({ version: b1.version, revision: 1 });
      expect(await production()).toEqual(before);
      expect(await status(phishingNow)).toBe('pushed');
      expect(await status(b1.version)).toBe('pushed');

      b2 = await candidate('b2', 12, { dataset: 'phishing-b', evaluatedAgainst: b1.version });
      await publish('model.accepted', b2.accepted);
      const second = await outputs.first('model.pushed', b2.accepted.envelope.eventId);
      expect(second).toMatchObject({ alias: OTHER, modelVersion: b2.version, previousVersion: b1.version });
      expect(await status(b1.version)).toBe('retired');
      expect(await status(phishingNow)).toBe('pushed');
      expect(await production()).toEqual(before);
      expect(await stores.registry.productionBundle('phishing-b')).toEqual({
        version: b2.version,
        bundle: second.bundle,
        revision: 2,
      });
    });

    it('a ROLLBACK naming no dataset is refused while two datasets have production', async () => {
      const rollback = command('ROLLBACK', null, 'which one?');
      await publish('admin.commands', rollback);
      const letter = await outputs.first('pipeline.dlq', rollback.envelope.eventId);
      expect(letter.errorCode).toBe('DATASET_REQUIRED');
      expect(letter.reason).toBe(
        'PushRefused: ROLLBACK refused: 2 datasets have a production model (phishing, phishing-b); ' +
          'name one (netsentry rollback --dataset NAME) or the version (--to)',
      );
      expect(outputs.causedBy('model.pushed', rollback.envelope.eventId)).toEqual([]);
      expect(await otherProduction()).toMatchObject({ version: b2.version, revision: 2 });
      expect(await production()).toMatchObject({ version: phishingNow, revision: 5 });
    });

    it('a ROLLBACK of one dataset leaves the other', async () => {
      const rollback = command('ROLLBACK', null, 'b2 is noisy', 'phishing-b');
      await publish('admin.commands', rollback);
      const pushed = await outputs.first('model.pushed', rollback.envelope.eventId);
      expect(pushed).toMatchObject({
        action: 'ROLLBACK',
        alias: OTHER,
        dataset: 'phishing-b',
        modelVersion: b1.version,
        previousVersion: b2.version,
      });
      expect(await otherProduction()).toMatchObject({ version: b1.version, revision: 3, action: 'ROLLBACK' });
      expect(await production()).toMatchObject({ version: phishingNow, revision: 5 });
      expect(await status(phishingNow)).toBe('pushed');
      expect(await status(b2.version)).toBe('retired');
    });

    it("a PROMOTE moves the version's own dataset, and is refused when it names another", async () => {
      const promote = command('PROMOTE', v1.version, 'back to the first phishing model');
      await publish('admin.commands', promote);
      const pushed = await outputs.first('model.pushed', promote.envelope.eventId);
      expect(pushed).toMatchObject({
        action: 'PROMOTE',
        alias: PHISHING,
        dataset: 'phishing',
        modelVersion: v1.version,
        previousVersion: phishingNow,
      });
      expect(await otherProduction()).toMatchObject({ version: b1.version, revision: 3 });

      const wrong = command('PROMOTE', b2.version, 'wrong dataset', 'phishing');
      await publish('admin.commands', wrong);
      const letter = await outputs.first('pipeline.dlq', wrong.envelope.eventId);
      expect(letter.errorCode).toBe('DATASET_MISMATCH');
      expect(letter.reason).toMatch(
        /PROMOTE to m-it-b2 refused: it is a model of dataset 'phishing-b', not 'phishing'/,
      );
      expect(await otherProduction()).toMatchObject({ version: b1.version, revision: 3 });
      expect(await production()).toMatchObject({ version: v1.version, revision: 6 });
    });

    it("checks a verdict's staleness against its own dataset's production only", async () => {
      // phishing moved (PROMOTE) after b1 became phishing-b's production again: b3 is not stale.
      const b3 = await candidate('b3', 13, { dataset: 'phishing-b', evaluatedAgainst: b1.version });
      await publish('model.accepted', b3.accepted);
      const pushed = await outputs.first('model.pushed', b3.accepted.envelope.eventId);
      expect(pushed).toMatchObject({ alias: OTHER, modelVersion: b3.version, previousVersion: b1.version });
      expect(await production()).toMatchObject({ version: v1.version, revision: 6 });
    });

    it('exposes one production series per dataset', async () => {
      const text = await metricsText();
      expect(text).toMatch(/netsentry_pusher_production_info\{version="m-it-v1",dataset="phishing"[^}]*\} 1/);
      expect(text).toMatch(
        /netsentry_pusher_production_info\{version="m-it-b3",dataset="phishing-b"[^}]*\} 1/,
      );
      expect(text.match(/^netsentry_pusher_production_info\{/gm)).toHaveLength(2);
      expect(text).toMatch(
        /netsentry_pusher_alias_moves_total\{action="ROLLBACK",dataset="phishing-b"[^}]*\} 1/,
      );
    });

    it('refuses an unsigned, forged, stale or replayed ROLLBACK or PROMOTE, moving nothing', async () => {
      const before = [await production(), await otherProduction()];
      const signed = command('ROLLBACK', null, 'take phishing-b back', 'phishing-b');
      const { nonce: _n, signature: _s, ...unsigned } = command('PROMOTE', b2.version, 'unsigned');
      const attempts: [EventByTopic['admin.commands'], string][] = [
        [{ ...unsigned, nonce: null, signature: null }, 'ADMIN_UNSIGNED'],
        [signAdminCommand(command('PROMOTE', b2.version, 'forged'), 'x'.repeat(64)), 'ADMIN_BAD_SIGNATURE'],
        [
          // Altered after signing (under its own event id, or the ledger would then skip the real one).
          {
            ...signed,
            targetModelVersion: b2.version,
            envelope: { ...signed.envelope, eventId: randomUUID() },
          },
          'ADMIN_BAD_SIGNATURE',
        ],
        [
          signAdminCommand(command('ROLLBACK', null, 'old', 'phishing-b'), env.NETSENTRY_ADMIN_SECRET!, 0),
          'ADMIN_STALE',
        ],
      ];
      for (const [attempt, code] of attempts) {
        await publish('admin.commands', attempt);
        const letter = await outputs.first('pipeline.dlq', attempt.envelope.eventId);
        expect(letter.errorCode).toBe(code);
        expect(outputs.causedBy('model.pushed', attempt.envelope.eventId)).toEqual([]);
      }
      // The signed one works once; the same command under a new id is a replay.
      await publish('admin.commands', signed);
      const pushed = await outputs.first('model.pushed', signed.envelope.eventId);
      expect(pushed).toMatchObject({ action: 'ROLLBACK', alias: OTHER, modelVersion: b1.version });
      const replay = { ...signed, envelope: { ...signed.envelope, eventId: randomUUID() } };
      await publish('admin.commands', replay);
      const letter = await outputs.first('pipeline.dlq', replay.envelope.eventId);
      expect(letter.errorCode).toBe('ADMIN_REPLAYED');
      expect(letter.reason).toMatch(`a replay of command ${signed.envelope.eventId}`);
      expect(outputs.causedBy('model.pushed', replay.envelope.eventId)).toEqual([]);
      expect(await production()).toEqual(before[0]);
      expect(await otherProduction()).toMatchObject({
        version: b1.version,
        revision: before[1]!.revision + 1,
      });
      const text = await metricsText();
      expect(text).toMatch(
        /netsentry_admin_commands_refused_total\{code="ADMIN_BAD_SIGNATURE",command="PROMOTE"[^}]*\} 1/,
      );
      expect(text).toMatch(
        /netsentry_admin_commands_refused_total\{code="ADMIN_BAD_SIGNATURE",command="ROLLBACK"[^}]*\} 1/,
      );
      expect(text).toMatch(
        /netsentry_admin_commands_refused_total\{code="ADMIN_REPLAYED",command="ROLLBACK"[^}]*\} 1/,
      );
    });

    it("carries a deployment-wide 'production' alias of an earlier release over to its dataset, once", async () => {
      // An earlier release pushed a model of a third dataset (named in its bundle only) to 'production'.
      const legacy = await candidate('c1', 21, { dataset: 'phishing-c', bundleOnly: true });
      const registry = stores.registry;
      await registry.aliases.move('production', legacy.version, {
        expectedRevision: 0,
        reason: 'FLOORS_ONLY: pushed before per-dataset production',
        actor: 'pusher',
        action: 'PUSH',
        eventId: randomUUID(),
      });
      const datasets = new ModelDatasets(stores.artifacts);
      const phishingBefore = await production();
      expect(await carryOverLegacyProduction(registry, datasets)).toEqual({
        from: 'production',
        to: 'production-phishing-c',
        version: legacy.version,
      });
      expect(await registry.aliases.get('production-phishing-c')).toMatchObject({
        version: legacy.version,
        revision: 1,
        action: 'PUSH',
        reason:
          "carried over from the deployment-wide 'production' alias (revision 1): FLOORS_ONLY: pushed before per-dataset production",
      });
      // Once: the dataset alias has moved, so a restart carries nothing over again.
      expect(await carryOverLegacyProduction(registry, datasets)).toBeNull();
      expect(await registry.aliases.history('production-phishing-c')).toHaveLength(1);
      expect(await production()).toEqual(phishingBefore);
    });
  });
});
