import { ContractRegistry, rootEnvelope, topicName, type ArtifactRef } from '@netsentry/contracts';
import { loadDatasetSchema, type DatasetSchema } from '@netsentry/dataset';
import {
  applyPreprocessor,
  asTrainSplit,
  BUNDLE_MEDIA_TYPE,
  fitPreprocessor,
  readLabelledFrame,
  serializeBundle,
  xgboostEngine,
  type LabelledFrame,
  type ModelBundle,
} from '@netsentry/ml';
import { trainedBundle } from '@netsentry/ml/testing';
import { productionAliasName } from '@netsentry/registry';
import type { Stores } from '@netsentry/runtime';
import { repoRoot } from '@netsentry/testkit';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';

export interface DatasetFixture {
  schema: DatasetSchema;
  schemaText: string;
  data: LabelledFrame;
}

/** A bundled dataset read through its schema file, as the pipeline reads a split. */
export async function loadFixture(schemaFile: string, dataFile: string): Promise<DatasetFixture> {
  const schemaPath = join(repoRoot, 'data/schemas', schemaFile);
  const schema = await loadDatasetSchema(schemaPath);
  const raw = createReadStream(join(repoRoot, 'data', dataFile));
  const data = await readLabelledFrame(schema, dataFile.endsWith('.gz') ? raw.pipe(createGunzip()) : raw);
  return { schema, schemaText: readFileSync(schemaPath, 'utf8'), data };
}

/**
 * Trains a small XGBoost model on a fixture and makes it production of its dataset the way the pipeline
 * leaves it: the run's schema artifact, the bundle, the registered model, the immutable production copy,
 * the moved alias. Returns the version and bundle (for scoreFrame comparisons).
 */
export async function makeProduction(
  stores: Stores,
  fixture: DatasetFixture,
  options: { rounds: number; seed: number; eventId?: string },
): Promise<{ version: string; bundle: ModelBundle; ref: ArtifactRef }> {
  const { schema, data } = fixture;
  const runId = `run-${randomUUID()}`;
  const preprocessor = fitPreprocessor(asTrainSplit(data), schema, {
    imputation: 'median',
    seed: options.seed,
  });
  const X = applyPreprocessor(preprocessor, data.features);
  const model = (await xgboostEngine()).train(X.X, data.labels, X.rows, X.cols, {
    rounds: options.rounds,
    seed: options.seed,
  });
  let bundle: ModelBundle;
  try {
    bundle = trainedBundle({
      model,
      candidate: 'xgboost',
      params: { rounds: options.rounds, seed: options.seed },
      schema,
      preprocessor,
      train: data,
      cv: { mean: 0.95, std: 0.01 },
      runId,
      trainedAt: new Date().toISOString(),
    });
  } finally {
    model.free();
  }
  const r = stores.registry;
  const producedBy = { stage: 'test', eventId: randomUUID() };
  const schemaRef = await stores.artifacts.put({
    runId,
    kind: 'dataset/schema',
    body: Buffer.from(fixture.schemaText, 'utf8'),
    mediaType: 'application/yaml',
  });
  await r.artifacts.record({ ref: schemaRef, kind: 'dataset/schema', runId, parents: [], producedBy });
  const ref = await stores.artifacts.put({
    runId,
    kind: 'model/bundle',
    body: Buffer.from(serializeBundle(bundle), 'utf8'),
    mediaType: BUNDLE_MEDIA_TYPE,
  });
  await r.artifacts.record({ ref, kind: 'model/bundle', runId, parents: [schemaRef.uri], producedBy });
  const registered = await r.models.register({
    runId,
    bundle: ref,
    candidate: 'xgboost',
    params: { rounds: options.rounds },
    cvMetrics: { f1: 0.95 },
  });
  const version = registered.version;
  await r.models.transition(version, ['trained'], 'accepted', { reasons: ['test fixture'] });
  const copy = await stores.artifacts.copy(ref, `production/${version}`, { name: 'bundle.json' });
  await r.artifacts.record({
    ref: copy,
    kind: 'model/production-bundle',
    runId,
    parents: [ref.uri],
    producedBy,
  });
  const alias = productionAliasName(schema.name);
  const head = await r.aliases.get(alias);
  await r.aliases.move(alias, version, {
    expectedRevision: head?.revision ?? 0,
    reason: 'test fixture',
    actor: 'test',
    action: 'PUSH',
    eventId: options.eventId ?? randomUUID(),
  });
  return { version, bundle, ref: copy };
}

/** Publishes model.pushed for a version, as the pusher does after moving the alias. */
export async function publishPushed(
  producer: Producer,
  prefix: string,
  version: string,
  bundle: ArtifactRef,
  previousVersion: string | null,
  dataset = 'phishing',
): Promise<void> {
  const contracts = ContractRegistry.bundled();
  const event = {
    envelope: rootEnvelope('model.pushed', { producer: { service: 'pusher', version: 'test' } }),
    action: 'PUSH' as const,
    alias: productionAliasName(dataset),
    dataset,
    modelVersion: version,
    bundle,
    previousVersion,
    reason: 'test',
    verifiedSamples: 0,
  };
  await producer.send({
    topic: topicName(prefix, 'model.pushed'),
    messages: [{ key: event.alias, value: contracts.encode('model.pushed', event) }],
  });
}
