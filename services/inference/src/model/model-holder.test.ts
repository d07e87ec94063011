import { Test } from '@nestjs/testing';
import type { ArtifactRef } from '@netsentry/contracts';
import { parseDatasetSchema } from '@netsentry/dataset';
import { serializeBundle, toySchema, type OpenBundle } from '@netsentry/ml';
import { LOGGER } from '@netsentry/observability';
import { ARTIFACT_STORE } from '@netsentry/runtime';
import { MemoryArtifacts } from '@netsentry/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toyBundle } from '../../test/support/bundle-scorer';
import { INFERENCE_CONFIG, type InferenceSettings } from '../inference.config';
import { InferenceMetrics } from '../inference.metrics';
import { CHUNK_SCORER, type ChunkScorer } from '../scoring/chunk-scorer';
import { ModelHolder } from './model-holder';
import { PRODUCTION_SOURCE, type ProductionSource } from './production-source';

// The model lifecycle without Kafka or servers: the production bundle of the served dataset loaded and
// swapped in whole; a bundle of another dataset, or one that does not load, refused while the old one serves.

// toySchema()'s file, byte for byte (the bundle records its sha256).
const TOY_SCHEMA_TEXT = `
format: netsentry/dataset-schema@1
name: toy
target: { column: label, negative: [normal] }
columns:
  a: { type: numeric }
  b: { type: numeric }
  proto: { type: categorical, values: [tcp, udp, icmp] }
  label: { type: categorical }
`;

const settings = { dataset: 'toy', jsonIgnoredKeys: [] } as unknown as InferenceSettings;
/** The stream's scorer: versions loaded into it, in order (ModelHolder loads there before it serves). */
const chunkLoads: string[] = [];
const chunkScorer: Pick<ChunkScorer, 'load' | 'release'> = {
  load: (model) => {
    chunkLoads.push(model.version);
    return Promise.resolve();
  },
  release: () => undefined,
};
const logged: { level: string; msg: string }[] = [];
const logger = {
  info: (_o: object, msg: string) => logged.push({ level: 'info', msg }),
  warn: (_o: object, msg: string) => logged.push({ level: 'warn', msg }),
  error: (_o: object, msg: string) => logged.push({ level: 'error', msg }),
  debug: () => undefined,
};

let open: OpenBundle;
let artifacts: MemoryArtifacts;
let schemaRef: ArtifactRef;
let production: { version: string; bundle: ArtifactRef } | null;
const source: ProductionSource = {
  production: async () => Promise.resolve(production),
  schemaRef: async () => Promise.resolve(schemaRef),
};

async function holder(): Promise<ModelHolder> {
  const module = await Test.createTestingModule({
    providers: [
      ModelHolder,
      InferenceMetrics,
      { provide: INFERENCE_CONFIG, useValue: settings },
      { provide: PRODUCTION_SOURCE, useValue: source },
      { provide: ARTIFACT_STORE, useValue: artifacts },
      { provide: LOGGER, useValue: logger },
      { provide: CHUNK_SCORER, useValue: chunkScorer },
    ],
  }).compile();
  return module.get(ModelHolder);
}

async function stored(text: string): Promise<ArtifactRef> {
  return artifacts.put({
    runId: open.bundle.training.runId,
    kind: 'model/bundle',
    body: Buffer.from(text),
    mediaType: 'application/json',
  });
}

beforeAll(async () => {
  expect(parseDatasetSchema(TOY_SCHEMA_TEXT).sha256).toBe(toySchema().sha256);
  open = await toyBundle();
  artifacts = new MemoryArtifacts();
  schemaRef = await artifacts.put({
    runId: open.bundle.training.runId,
    kind: 'dataset/schema',
    body: Buffer.from(TOY_SCHEMA_TEXT),
    mediaType: 'application/yaml',
  });
});
afterAll(() => open?.free());

describe('ModelHolder', () => {
  it('serves nothing until the dataset has a production model, then loads it whole', async () => {
    production = null;
    const models = await holder();
    await models.refresh('start');
    expect(models.current).toBeNull();

    production = { version: 'v1', bundle: await stored(serializeBundle(open.bundle)) };
    await models.refresh('model.pushed');
    await models.ready;
    expect(models.current).toMatchObject({ version: 'v1', dataset: 'toy', features: ['a', 'b', 'proto'] });
    expect(models.current!.checker.featureSet).toBe(models.current!.featureSet);
  });

  it("refuses another dataset's bundle and a bundle that does not load; the old model keeps serving", async () => {
    production = { version: 'v1', bundle: await stored(serializeBundle(open.bundle)) };
    const models = await holder();
    await models.refresh('start');
    expect(models.current?.version).toBe('v1');

    const other = { ...open.bundle, dataset: { ...open.bundle.dataset, name: 'other' } };
    production = { version: 'v2', bundle: await stored(serializeBundle(other)) };
    logged.length = 0;
    await models.refresh('model.pushed');
    expect(models.current?.version).toBe('v1');
    expect(logged).toContainEqual({ level: 'warn', msg: 'model refused; the current model keeps serving' });

    production = { version: 'v3', bundle: await stored('{"not":"a bundle"}') };
    logged.length = 0;
    await models.refresh('model.pushed');
    expect(models.current?.version).toBe('v1');
    expect(logged).toContainEqual({
      level: 'warn',
      msg: 'model failed to load; the current model keeps serving',
    });
  });

  it('swaps to a new production version in one step', async () => {
    production = { version: 'v1', bundle: await stored(serializeBundle(open.bundle)) };
    const models = await holder();
    await models.refresh('start');
    const before = models.current;
    production = { version: 'v4', bundle: production.bundle };
    await models.refresh('model.pushed');
    expect(models.current?.version).toBe('v4');
    expect(models.current).not.toBe(before);
    expect(before?.version).toBe('v1');
    // Each version went to the stream's scorer before it was served.
    expect(chunkLoads.slice(-2)).toEqual(['v1', 'v4']);
  });
});
