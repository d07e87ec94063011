import { describe, expect, it } from 'vitest';
import { openBundle, serializeBundle } from '../bundle/model-bundle';
import { toySchema, toyTask } from '../bundle/toy-task';
import { trainRandomForest } from '../engines/random-forest';
import { applyPreprocessor, asTrainSplit, fitPreprocessor } from '../preprocessing/preprocessor';
import { profileFrame } from '../stats/profile';
import { TEST_TRAINED_AT, trainedBundle } from './trained-bundle';

const SCHEMA = toySchema();
const TRAIN = toyTask(200, 7);
const TEST = toyTask(60, 8);
const preprocessor = fitPreprocessor(asTrainSplit(TRAIN), SCHEMA, { imputation: 'median', seed: 1 });
const X = applyPreprocessor(preprocessor, TRAIN.features);

describe('trainedBundle', () => {
  it('yields a bundle that opens and scores as its model does', async () => {
    const model = trainRandomForest(X.X, TRAIN.labels, X.rows, X.cols, { trees: 10, seed: 3 });
    const T = applyPreprocessor(preprocessor, TEST.features);
    const expected = model.predictProba(T.X, T.rows, T.cols);
    const bundle = trainedBundle({
      model,
      candidate: 'random-forest',
      schema: SCHEMA,
      preprocessor,
      train: TRAIN,
    });
    model.free();

    const opened = await openBundle(serializeBundle(bundle));
    try {
      const scores = opened.scoreFrame(TEST.features);
      expect(scores).toHaveLength(TEST.features.rows);
      expect(Array.from(scores)).toEqual(Array.from(expected));
    } finally {
      opened.free();
    }
  });

  it('fills what the trainer writes from the schema and the options', () => {
    const model = trainRandomForest(X.X, TRAIN.labels, X.rows, X.cols, { trees: 3, seed: 3 });
    const plain = trainedBundle({
      model,
      candidate: 'random-forest',
      schema: SCHEMA,
      preprocessor,
      train: TRAIN,
    });
    const told = trainedBundle({
      model: model.toBytes(),
      candidate: 'random-forest',
      params: { trees: 3 },
      schema: SCHEMA,
      preprocessor,
      train: TRAIN,
      dataset: 'toy-2',
      classLabels: { negative: 'normal', positive: 'attack' },
      cv: { mean: 0.95, std: 0.02 },
      runId: 'run-42',
      trainedAt: '2026-03-04T05:06:07.000Z',
    });
    model.free();

    expect(plain.dataset).toEqual({ name: SCHEMA.name, schemaSha256: SCHEMA.sha256 });
    expect(plain.classLabels).toEqual(SCHEMA.target.labels);
    expect(plain.referenceProfile).toEqual(profileFrame(TRAIN.features, SCHEMA));
    expect(plain.featureNames).toEqual(preprocessor.outputFeatures);
    expect(plain.training).toMatchObject({ runId: 'run-test', trainedAt: TEST_TRAINED_AT, metric: 'f1' });
    // The same model and inputs again (here from the bundle's own model bytes): the same bytes.
    const bytes = Buffer.from(plain.model.data, 'base64');
    const again = trainedBundle({
      model: bytes,
      candidate: 'random-forest',
      schema: SCHEMA,
      preprocessor,
      train: TRAIN,
    });
    expect(serializeBundle(again)).toBe(serializeBundle(plain));

    expect(told.params).toEqual({ trees: 3 });
    expect(told.dataset.name).toBe('toy-2');
    expect(told.classLabels).toEqual({ negative: 'normal', positive: 'attack' });
    expect(told.training).toEqual({
      runId: 'run-42',
      trainedAt: '2026-03-04T05:06:07.000Z',
      metric: 'f1',
      cvMean: 0.95,
      cvStd: 0.02,
      folds: 3,
      trials: 1,
      leaderboard: [{ candidate: 'random-forest', cvMean: 0.95, cvStd: 0.02, trainSeconds: 1 }],
    });
    expect(told.model).toEqual(plain.model);
  });
});
