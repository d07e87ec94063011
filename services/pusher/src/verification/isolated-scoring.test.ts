import {
  applyPreprocessor,
  asTrainSplit,
  fitPreprocessor,
  frameToJson,
  openBundle,
  RANDOM_FOREST_DEFAULTS,
  RandomForestModel,
  serializeBundle,
  toySchema,
  toyTask,
  trainRandomForest,
  type TrainedModel,
} from '@netsentry/ml';
import { trainedBundle } from '@netsentry/ml/testing';
import { describe, expect, it } from 'vitest';
import { scoreInIsolation } from './isolated-scoring';

const SCHEMA = toySchema();
const { features: frame, labels } = toyTask(300, 7);
const preprocessor = fitPreprocessor(asTrainSplit({ features: frame, labels }), SCHEMA, {
  imputation: 'median',
});
const X = applyPreprocessor(preprocessor, frame);

function bundleBytes(model: TrainedModel): Buffer {
  const bundle = trainedBundle({
    model,
    candidate: 'random-forest',
    schema: SCHEMA,
    preprocessor,
    train: { features: frame },
  });
  return Buffer.from(serializeBundle(bundle), 'utf8');
}

const limits = { timeoutMs: 20_000, maxHeapMb: 256 };
const samples = toyTask(40, 8).features;

describe('scoreInIsolation', () => {
  it('scores in a worker exactly as the bundle scores in this thread', async () => {
    const bytes = bundleBytes(trainRandomForest(X.X, labels, X.rows, X.cols, { trees: 15, seed: 2 }));
    const opened = await openBundle(bytes);
    const here = opened.scoreFrame(samples);
    opened.free();

    const isolated = await scoreInIsolation(bytes, frameToJson(samples), limits);

    expect(isolated.ok).toBe(true);
    if (isolated.ok) expect(Array.from(isolated.scores)).toEqual(Array.from(here));
  });

  it('reports a bundle that does not load, and one that cannot score the records', async () => {
    const truncated = Buffer.from('{"format": "netsentry/model-bundle@1"');
    const notJson = await scoreInIsolation(truncated, frameToJson(samples), limits);
    expect(notJson).toMatchObject({ ok: false, failure: 'load' });
    expect(!notJson.ok && notJson.message).toMatch(/not JSON/);

    const bytes = bundleBytes(trainRandomForest(X.X, labels, X.rows, X.cols, { trees: 3, seed: 2 }));
    const noColumnB = { rows: samples.rows, columns: samples.columns.filter((c) => c.name !== 'b') };
    const wrongRecords = await scoreInIsolation(bytes, frameToJson(noColumnB), limits);
    expect(wrongRecords).toMatchObject({ ok: false, failure: 'score' });
    expect(!wrongRecords.ok && wrongRecords.message).toMatch(/'b'/);
  });

  it('stops a bundle whose tree loops forever, while this thread keeps running', async () => {
    // One node whose children are itself: the prediction walk never reaches a leaf.
    const looping = new RandomForestModel(
      {
        roots: Int32Array.of(0),
        feature: Int32Array.of(0),
        threshold: Float64Array.of(0.5),
        left: Int32Array.of(0),
        right: Int32Array.of(0),
      },
      X.cols,
      RANDOM_FOREST_DEFAULTS,
    );
    let ticks = 0;
    const timer = setInterval(() => ticks++, 50);
    const result = await scoreInIsolation(bundleBytes(looping), frameToJson(samples), {
      ...limits,
      timeoutMs: 4_000,
    });
    clearInterval(timer);
    expect(result).toMatchObject({ ok: false, failure: 'timeout' });
    expect(result.ms).toBeGreaterThanOrEqual(4_000);
    expect(ticks).toBeGreaterThan(40);
  });
});
