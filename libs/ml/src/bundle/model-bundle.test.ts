import { describe, expect, it } from 'vitest';
import { trainRandomForest } from '../engines/random-forest';
import { xgboostEngine } from '../engines/xgboost-model';
import { applyPreprocessor, asTrainSplit, fitPreprocessor } from '../preprocessing/preprocessor';
import { profileFrame } from '../stats/profile';
import {
  BUNDLE_FORMAT,
  BundleError,
  buildBundle,
  openBundle,
  parseBundle,
  serializeBundle,
  type ModelBundle,
} from './model-bundle';
import { toySchema, toyTask } from './toy-task';

const SCHEMA = toySchema();
const { features: frame, labels } = toyTask(200, 7);
const preprocessor = fitPreprocessor(asTrainSplit({ features: frame, labels }), SCHEMA, {
  imputation: 'median',
  seed: 1,
});
const X = applyPreprocessor(preprocessor, frame);
const training: ModelBundle['training'] = {
  runId: 'run-test',
  trainedAt: '2026-01-02T03:04:05.000Z',
  metric: 'f1',
  cvMean: 0.9,
  cvStd: 0.01,
  folds: 3,
  trials: 4,
  leaderboard: [{ candidate: 'random-forest', cvMean: 0.9, cvStd: 0.01, trainSeconds: 1.5 }],
};

function forestBundle(): ModelBundle {
  const model = trainRandomForest(X.X, labels, X.rows, X.cols, { trees: 20, seed: 3 });
  try {
    return buildBundle({
      model,
      candidate: 'random-forest',
      params: { trees: 20, featureFraction: 0.5 },
      preprocessor,
      referenceProfile: profileFrame(frame, SCHEMA),
      dataset: { name: 'toy', schemaSha256: SCHEMA.sha256 },
      classLabels: { negative: 'normal', positive: 'attack' },
      training,
    });
  } finally {
    model.free();
  }
}

describe('model bundle', () => {
  it('round-trips through its JSON bytes unchanged', () => {
    const bundle = forestBundle();
    const text = serializeBundle(bundle);
    const again = parseBundle(text);
    expect(again).toEqual(bundle);
    expect(serializeBundle(again)).toBe(text);
    expect(again.format).toBe(BUNDLE_FORMAT);
    expect(again.engine.kind).toBe('random-forest');
    expect(again.featureNames).toEqual(preprocessor.outputFeatures);
    expect(again.threshold).toBe(0.5);
  });

  it('refuses another format version with BUNDLE_VERSION', () => {
    const bundle = { ...forestBundle(), format: 'netsentry/model-bundle@2' };
    expect(() => parseBundle(JSON.stringify(bundle))).toThrow(BundleError);
    try {
      parseBundle(JSON.stringify(bundle));
    } catch (e) {
      expect((e as BundleError).code).toBe('BUNDLE_VERSION');
      expect((e as Error).message).toMatch(/model-bundle@2.*not supported/);
    }
  });

  it('refuses a damaged bundle with BUNDLE_INVALID naming every problem', () => {
    const bundle = forestBundle();
    const broken = {
      ...bundle,
      model: { ...bundle.model, sha256: '0'.repeat(64) },
      featureNames: ['x'],
      threshold: 2,
    };
    let error: BundleError | undefined;
    try {
      parseBundle(JSON.stringify(broken));
    } catch (e) {
      error = e as BundleError;
    }
    expect(error?.code).toBe('BUNDLE_INVALID');
    expect(error?.message).toMatch(/model\.sha256/);
    expect(error?.message).toMatch(/featureNames/);
    expect(error?.message).toMatch(/threshold/);
    expect(() => parseBundle('not json')).toThrow(/not JSON/);
  });

  it('scores a raw frame exactly as preprocess + predict (random forest)', async () => {
    const bundle = parseBundle(serializeBundle(forestBundle()));
    const opened = await openBundle(bundle);
    const test = toyTask(50, 99);
    const direct = trainRandomForest(X.X, labels, X.rows, X.cols, { trees: 20, seed: 3 });
    const m = applyPreprocessor(preprocessor, test.features);
    expect(Array.from(opened.scoreFrame(test.features))).toEqual(
      Array.from(direct.predictProba(m.X, m.rows, m.cols)),
    );
    expect(Array.from(opened.scoreMatrix(m.X, m.rows, m.cols))).toEqual(
      Array.from(opened.scoreFrame(test.features)),
    );
    direct.free();
    opened.free();
  });

  it('scores a raw frame exactly as preprocess + predict (xgboost), from the bundle text', async () => {
    const model = (await xgboostEngine()).train(X.X, labels, X.rows, X.cols, { rounds: 10, seed: 1 });
    const bundle = buildBundle({
      model,
      candidate: 'xgboost',
      params: { rounds: 10 },
      preprocessor,
      referenceProfile: profileFrame(frame, SCHEMA),
      dataset: { name: 'toy', schemaSha256: SCHEMA.sha256 },
      training,
    });
    expect(bundle.engine.version).toMatch(/^ml-xgboost@/);
    const opened = await openBundle(serializeBundle(bundle));
    const test = toyTask(40, 5);
    const m = applyPreprocessor(preprocessor, test.features);
    expect(Array.from(opened.scoreFrame(test.features))).toEqual(
      Array.from(model.predictProba(m.X, m.rows, m.cols)),
    );
    model.free();
    opened.free();
  });
});
